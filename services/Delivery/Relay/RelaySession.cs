using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Smtp;

namespace ProMTA.Delivery.Relay;

/// <summary>What the relay keeps about one SMTP session, in the session's properties.</summary>
internal static class RelaySession
{
    private const string ServiceKey = "promta:service-id";
    private const string TrustedServiceKey = "promta:trusted-service-id";
    private const string HostnameKey = "promta:service-hostname";
    private const string StreamKey = "promta:credential-stream";

    public static string? Helo(ISessionContext context) => context.Helo;

    /// <summary>AUTH succeeded: the service the credential sends for, and the stream it sends in (MailStream).</summary>
    public static void SetService(ISessionContext context, Guid serviceId, string stream)
    {
        context.Properties[ServiceKey] = serviceId;
        context.Properties[StreamKey] = stream;
    }

    /// <summary>Relay:TrustedClients (benchmarks in Development only): the session counts as authenticated for this service.</summary>
    public static void Trust(ISessionContext context, Guid serviceId) => context.Properties[TrustedServiceKey] = serviceId;

    /// <summary>
    /// The service the session sends for. AUTH's service counts only while the session is authenticated, so STARTTLS,
    /// which resets authentication (RFC 3207 4.2), also forgets it.
    /// </summary>
    public static Guid? Service(ISessionContext context) =>
        context.Properties.TryGetValue(TrustedServiceKey, out var trusted) && trusted is Guid trustedId ? trustedId
        : context.Authentication.IsAuthenticated && context.Properties.TryGetValue(ServiceKey, out var id) && id is Guid serviceId ? serviceId : null;

    /// <summary>The stream of the credential the session authenticated with; bulk for a trusted client or none (as <see cref="Service"/>, forgotten with the authentication).</summary>
    public static string CredentialStream(ISessionContext context) =>
        context.Authentication.IsAuthenticated && context.Properties.TryGetValue(StreamKey, out var stream) && stream is string name ? name : MailStream.Bulk;

    /// <summary>
    /// The service's own name (its first dedicated IP's PTR), read with the account at MAIL: the Received header's "by"
    /// and a Message-ID the relay adds carry it, as the service's outbound sessions greet with it.
    /// </summary>
    public static void SetHostname(ISessionContext context, string hostname) => context.Properties[HostnameKey] = hostname;

    public static string Hostname(ISessionContext context, string fallback) =>
        context.Properties.TryGetValue(HostnameKey, out var name) && name is string hostname ? hostname : fallback;

    public static string? ClientIp(ISessionContext context) => context.RemoteEndPoint.Address.ToString();

    public static SmtpResponseException Reply(int code, string text) => new(new SmtpResponse(code, text));
}
