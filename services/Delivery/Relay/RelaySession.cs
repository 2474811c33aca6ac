using System.Net;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;

namespace ProMTA.Delivery.Relay;

/// <summary>What the relay keeps about one SMTP session, in SmtpServer's per-session properties.</summary>
internal static class RelaySession
{
    private const string ServiceKey = "promta:service-id";
    private const string TrustedServiceKey = "promta:trusted-service-id";
    private const string HeloKey = "promta:helo";

    public static void RememberHelo(ISessionContext context, SmtpCommand command)
    {
        if (command is EhloCommand ehlo) context.Properties[HeloKey] = ehlo.DomainOrAddress;
        else if (command is HeloCommand helo) context.Properties[HeloKey] = helo.DomainOrAddress;
    }

    public static string? Helo(ISessionContext context) => context.Properties.TryGetValue(HeloKey, out var helo) ? helo as string : null;

    public static void SetService(ISessionContext context, Guid serviceId) => context.Properties[ServiceKey] = serviceId;

    /// <summary>Relay:TrustedClients (benchmarks in Development only): the session counts as authenticated for this service.</summary>
    public static void Trust(ISessionContext context, Guid serviceId) => context.Properties[TrustedServiceKey] = serviceId;

    public static Guid? Service(ISessionContext context) =>
        context.Properties.TryGetValue(TrustedServiceKey, out var trusted) && trusted is Guid trustedId ? trustedId
        : context.Authentication.IsAuthenticated && context.Properties.TryGetValue(ServiceKey, out var id) && id is Guid serviceId ? serviceId : null;

    public static string? ClientIp(ISessionContext context) =>
        context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var endPoint) && endPoint is IPEndPoint ip ? ip.Address.ToString() : null;

    public static SmtpResponseException Reply(int code, string text) => new(new SmtpResponse((SmtpReplyCode)code, text));
}
