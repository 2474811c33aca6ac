using System.Security.Authentication;

namespace ProMTA.Delivery.Smtp;

/// <summary>
/// One SMTP session (RFC 5321, with STARTTLS 3207, AUTH 4954, SIZE 1870, 8BITMIME 6152, PIPELINING 2920,
/// ENHANCEDSTATUSCODES 2034/3463, DSN 3461). Commands are checked here (syntax, sequence, limits); what is accepted and
/// how a message is stored is the handlers' business.
/// </summary>
internal sealed partial class SmtpSession(
    SmtpConnection connection, SessionContext context, SmtpListenerOptions options, SmtpHandlers handlers, ILogger log, CancellationToken stopping)
{
    /// <summary>RFC 5321 4.5.3.1.4 says 512 octets with the line end; parameters (ORCPT, ENVID) can make real commands longer.</summary>
    private const int MaxCommandLength = 4096;

    private int errors;
    private bool closing;

    public async Task RunAsync()
    {
        try
        {
            await connection.WriteAsync(SmtpReplies.Greeting(options.Hostname), flush: true);
            while (!closing)
            {
                var (line, tooLong) = await connection.ReadLineAsync(MaxCommandLength);
                if (line is null && !tooLong) return; // the client closed the connection
                var response = tooLong ? SmtpReplies.LineTooLong : await ExecuteAsync(line!);
                if (response is not { } reply) continue; // already answered (DATA's 354 path writes its own)
                await AnswerAsync(reply);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await connection.WriteFinalAsync(SmtpReplies.ShuttingDown(options.Hostname));
        }
        catch (OperationCanceledException)
        {
            // Nothing from the client for IdleTimeout, whatever it was doing (a command, AUTH, the middle of DATA).
            LogIdle(ClientIp, options.IdleTimeout);
            await connection.WriteFinalAsync(SmtpReplies.IdleTimeout(options.Hostname));
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException or ObjectDisposedException)
        {
            LogConnectionLost(ClientIp, ex.Message);
        }
    }

    private string ClientIp => context.RemoteEndPoint.Address.ToString();

    /// <summary>Sends the reply (held back while the client has pipelined more commands) and counts protocol errors.</summary>
    private async Task AnswerAsync(SmtpResponse reply)
    {
        if (IsProtocolError(reply) && ++errors >= options.MaxErrors)
        {
            await connection.WriteAsync(reply, flush: false);
            LogTooManyErrors(ClientIp, errors);
            await connection.WriteFinalAsync(SmtpReplies.TooManyErrors(options.Hostname));
            closing = true;
            return;
        }
        await connection.WriteAsync(reply, flush: closing || !connection.HasBufferedLine);
    }

    /// <summary>
    /// Syntax, sequence and AUTH failures: what a confused or hostile client produces. Policy refusals (a suppressed
    /// recipient, too many recipients) are not counted: a bulk sender meets many of them over a long, honest session.
    /// </summary>
    private static bool IsProtocolError(SmtpResponse reply) => reply.Code is 500 or 501 or 502 or 503 or 504 or 535 or 555;

    private async Task<SmtpResponse?> ExecuteAsync(string line)
    {
        var space = line.IndexOf(' ');
        var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
        var argument = space < 0 ? "" : line[(space + 1)..];
        try
        {
            return verb switch
            {
                "EHLO" => Hello(argument, extended: true),
                "HELO" => Hello(argument, extended: false),
                "MAIL" => await MailAsync(argument),
                "RCPT" => await RcptAsync(argument),
                "DATA" => await DataAsync(argument),
                "RSET" => Reset(argument),
                "NOOP" => SmtpReplies.Ok,
                "QUIT" => Quit(),
                "VRFY" => SmtpReplies.CannotVerify,
                "HELP" => SmtpReplies.Help,
                "STARTTLS" => await StartTlsAsync(argument),
                "AUTH" => await AuthenticateAsync(argument),
                _ => SmtpReplies.UnknownCommand,
            };
        }
        catch (SmtpResponseException ex)
        {
            closing |= ex.Close;
            return ex.Response;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or IOException or AuthenticationException or ObjectDisposedException))
        {
            // A handler failed (the database is away): the client keeps its message and tries again. For AUTH, RFC 4954's
            // own temporary failure: a client must not take it for wrong credentials (535) and stop or alert its user.
            LogHandlerFailed(ex, verb, ClientIp);
            return verb == "AUTH" ? SmtpReplies.AuthTemporaryFailure : SmtpReplies.LocalError;
        }
    }

    private SmtpResponse Hello(string argument, bool extended)
    {
        var name = argument.Trim();
        if (name.Length == 0 || name.Contains(' ')) return SmtpReplies.HeloSyntax;
        context.Helo = name;
        context.Extended = extended;
        context.Transaction = null;
        if (!extended) return new SmtpResponse(250, options.Hostname);
        List<string> lines = [$"{options.Hostname} greets {name}", "PIPELINING", $"SIZE {options.MaxMessageSize}", "8BITMIME", "ENHANCEDSTATUSCODES", "DSN"];
        if (!context.IsSecure && options.Certificate is not null) lines.Add("STARTTLS");
        if (AuthOffered && !context.Authentication.IsAuthenticated) lines.Add("AUTH PLAIN LOGIN");
        return new SmtpResponse(250, string.Join('\n', lines));
    }

    private bool AuthOffered => handlers.Authenticator is not null && (context.IsSecure || options.AllowAuthWithoutTls);

    private SmtpResponse Reset(string argument)
    {
        if (argument.Trim().Length > 0) return SmtpReplies.NoArguments;
        context.Transaction = null;
        return SmtpReplies.Ok;
    }

    private SmtpResponse Quit()
    {
        closing = true;
        return SmtpReplies.Bye;
    }
}
