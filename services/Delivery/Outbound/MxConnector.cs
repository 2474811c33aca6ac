using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Outbound.Smtp;

namespace ProMTA.Delivery.Outbound;

/// <summary>A connected session, or why there is none: <c>Answered</c> when an MX replied (refused), false when none could be reached.</summary>
internal sealed record MxSession(SmtpSession? Client, MxTarget? Target, (int Code, string Text) Failure, bool Answered);

/// <summary>Opens an SMTP session to a domain's MX hosts in preference order, from the chosen dedicated source IP.</summary>
internal sealed class MxConnector(IOptions<OutboundOptions> options)
{
    private OutboundOptions Options => options.Value;

    /// <summary>
    /// The first MX that answers with a greeting, or why none did (the reply or a 451 for network failures). The session
    /// greets with <paramref name="helo"/>, the PTR name of <paramref name="sourceIp"/>, and is encrypted whenever the MX offers STARTTLS.
    /// </summary>
    public async Task<MxSession> ConnectAsync(string domain, Route route, string? sourceIp, string helo, CancellationToken ct)
    {
        (int, string) failure = (451, $"4.4.1 No mail server of {domain} answered");
        var answered = false;
        foreach (var target in route.Targets)
        {
            try
            {
                var socket = await ConnectSocketAsync(target.EndPoint, sourceIp, ct);
                var session = await SmtpSession.OpenAsync(socket, target.Host.TrimEnd('.'), helo, Options.Timeout, ct);
                return new MxSession(session, target, default, true);
            }
            catch (SmtpReplyException ex)
            {
                failure = ex.Reply.AsTuple();
                answered = true;
            }
            catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or AuthenticationException
                                       || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                failure = (451, $"4.4.1 Connection to {target.Host} ({target.EndPoint}) failed: {ex.Message}");
            }
        }
        return new MxSession(null, null, failure, answered);
    }

    /// <summary>
    /// The connection from the chosen source IP, with Nagle off: SMTP is small pipelined writes waiting for replies, and
    /// Nagle with the peer's delayed ACK would add tens of milliseconds to every message.
    /// </summary>
    private async Task<Socket> ConnectSocketAsync(IPEndPoint target, string? sourceIp, CancellationToken ct)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (sourceIp is not null) socket.Bind(new IPEndPoint(IPAddress.Parse(sourceIp), 0));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.Timeout);
            await socket.ConnectAsync(target, timeout.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"connecting to {target} timed out");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
