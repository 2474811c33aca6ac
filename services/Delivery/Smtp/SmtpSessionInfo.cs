using System.Net;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;

namespace ProMTA.Delivery.Smtp;

/// <summary>
/// What any of our SMTP servers knows about a session: the client's address, the name it greeted with, and a reply to
/// refuse with. The same mechanics as the relay's RelaySession (left as it is while the relay is reworked elsewhere;
/// the two are meant to become this one).
/// </summary>
public static class SmtpSessionInfo
{
    private const string HeloKey = "promta:smtp-helo";

    /// <summary>Keeps the EHLO/HELO name for the trace header; wire it to <see cref="ISessionContext.CommandExecuting"/>.</summary>
    public static void RememberHelo(ISessionContext context, SmtpCommand command)
    {
        if (command is EhloCommand ehlo) context.Properties[HeloKey] = ehlo.DomainOrAddress;
        else if (command is HeloCommand helo) context.Properties[HeloKey] = helo.DomainOrAddress;
    }

    public static string? Helo(ISessionContext context) => context.Properties.TryGetValue(HeloKey, out var helo) ? helo as string : null;

    public static IPAddress? ClientAddress(ISessionContext context) =>
        context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var endPoint) && endPoint is IPEndPoint ip ? ip.Address : null;

    public static string? ClientIp(ISessionContext context) => ClientAddress(context)?.ToString();

    /// <summary>A refusal with its reply code and enhanced status text; <paramref name="quit"/> closes the session after it.</summary>
    public static SmtpResponseException Reply(int code, string text, bool quit = false) => new(new SmtpResponse((SmtpReplyCode)code, text), quit);
}
