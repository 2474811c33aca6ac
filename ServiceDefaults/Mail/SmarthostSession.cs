using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace ProMTA.ServiceDefaults.Mail;

/// <summary>What became of one message handed to the smarthost.</summary>
public enum MailOutcome
{
    Sent,

    /// <summary>Refused for good (5xx): record it, do not retry.</summary>
    Refused,

    /// <summary>Down, 4xx, TLS or authentication trouble: retry later; the rest of this run should wait too.</summary>
    Deferred,
}

public sealed record MailAttempt(MailOutcome Outcome, string? Reason = null);

/// <summary>
/// One connection to the smarthost, opened on the first message and reused for the next ones of a run, so every
/// service's mail queue (Billing's notices, Ordering's account links) sends, classifies failures and retries alike.
/// The caller keeps its queue in its own table and records each <see cref="MailAttempt"/> with the row.
/// </summary>
public sealed class SmarthostSession(SmarthostOptions settings) : IAsyncDisposable
{
    private readonly SmtpClient smtp = new() { Timeout = 30_000 };

    public MailboxAddress From { get; } = MailboxAddress.Parse(settings.From);

    public async Task<MailAttempt> SendAsync(MimeMessage message, CancellationToken ct)
    {
        try
        {
            if (!smtp.IsConnected) await ConnectAsync(ct);
            await smtp.SendAsync(message, ct);
            return new MailAttempt(MailOutcome.Sent);
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            // After a refusal the session may be mid-transaction: the next message starts on a fresh connection.
            if (smtp.IsConnected) await smtp.DisconnectAsync(quit: true, ct);
            return new MailAttempt(MailOutcome.Refused, $"{(int)ex.StatusCode} {ex.Message}");
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or SocketException or IOException or ServiceNotConnectedException
                                   or SslHandshakeException or AuthenticationException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new MailAttempt(MailOutcome.Deferred, ex.Message);
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        await smtp.ConnectAsync(settings.SmartHost!, settings.Port, settings.RequireTls ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable, ct);
        if (!string.IsNullOrEmpty(settings.UserName)) await smtp.AuthenticateAsync(settings.UserName, settings.Password ?? "", ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (smtp.IsConnected) await smtp.DisconnectAsync(quit: true, CancellationToken.None);
        smtp.Dispose();
    }
}
