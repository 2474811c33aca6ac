using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Notifications;

/// <summary>
/// Mails the stored customer notifications through the configured smarthost, one transaction per notification:
/// claimed with SKIP LOCKED, sent, its outcome committed. A crash between sending and committing sends it again
/// (with the same Message-ID, so mail clients show it once) rather than never. A smarthost that is down or answers
/// 4xx is retried with a doubling delay, without end; a 5xx refusal is final and recorded. Nothing is ever deleted.
/// </summary>
public sealed partial class NotificationMailer(Database db, IOptions<EmailOptions> options, TimeProvider time, ILogger<NotificationMailer> log)
{
    /// <summary>Sends what is due; returns how many notifications got an outcome (sent or final).</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var settings = options.Value;
        using var smtp = new SmtpClient { Timeout = 30_000 };
        var done = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await using var work = await db.BeginAsync(ct);
                var due = await NotificationRepository.ClaimAsync(work, time.GetUtcNow());
                if (due is null) break;
                if (string.IsNullOrWhiteSpace(due.Email))
                {
                    await NotificationRepository.MarkFinalAsync(work, due.Id, "NoAddress", "No email address on file for this customer.");
                    await work.CommitAsync(ct);
                    continue;
                }
                try
                {
                    if (!smtp.IsConnected) await ConnectAsync(smtp, settings, ct);
                    await smtp.SendAsync(Compose(due, settings), ct);
                    await NotificationRepository.MarkSentAsync(work, due.Id, time.GetUtcNow());
                    done++;
                }
                catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
                {
                    await NotificationRepository.MarkFinalAsync(work, due.Id, "Rejected", $"{(int)ex.StatusCode} {ex.Message}");
                    LogRejected(due.Id, (int)ex.StatusCode, ex.Message);
                    done++;
                    await ResetAsync(smtp, ct);
                }
                catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or SocketException or IOException or ServiceNotConnectedException
                                           or SslHandshakeException or AuthenticationException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    var delay = RetryDelay(settings, due.MailAttempts);
                    await NotificationRepository.RetryLaterAsync(work, due.Id, ex.Message, time.GetUtcNow() + delay);
                    await work.CommitAsync(ct);
                    LogDeferred(due.Id, delay, ex.Message);
                    break; // the smarthost is unhealthy: the next run tries again
                }
                await work.CommitAsync(ct);
            }
        }
        finally
        {
            if (smtp.IsConnected) await smtp.DisconnectAsync(quit: true, CancellationToken.None);
        }
        return done;
    }

    public static TimeSpan RetryDelay(EmailOptions settings, int failedAttempts) =>
        TimeSpan.FromTicks(Math.Min(settings.MaxRetryDelay.Ticks, settings.RetryDelay.Ticks * (1L << Math.Min(failedAttempts, 20))));

    private static async Task ConnectAsync(SmtpClient smtp, EmailOptions settings, CancellationToken ct)
    {
        await smtp.ConnectAsync(settings.SmartHost!, settings.Port, settings.RequireTls ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable, ct);
        if (!string.IsNullOrEmpty(settings.UserName)) await smtp.AuthenticateAsync(settings.UserName, settings.Password ?? "", ct);
    }

    /// <summary>After a refused message the session may be mid-transaction: start the next one on a fresh connection.</summary>
    private static async Task ResetAsync(SmtpClient smtp, CancellationToken ct)
    {
        if (smtp.IsConnected) await smtp.DisconnectAsync(quit: true, ct);
    }

    private static MimeMessage Compose(NotificationToMail notification, EmailOptions settings)
    {
        var message = new MimeMessage
        {
            Subject = Subject(notification.Kind),
            MessageId = $"{notification.Id:N}@billing.promta",
            Date = notification.CreatedAt,
            Body = new TextPart("plain") { Text = $"{notification.Message}\n\nYour notifications: GET /api/notifications\n-- \nProMTA Billing\n" },
        };
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(notification.Email!));
        return message;
    }

    private static string Subject(string kind) => kind switch
    {
        "payment-failed" => "Your ProMTA payment did not go through",
        "suspended" => "Your ProMTA service is suspended",
        "terminated" => "Your ProMTA service was terminated",
        "bank-transfer-invoice" => "Your ProMTA invoice (bank transfer)",
        "refund" => "ProMTA refunded a payment",
        "refund-failed" => "A ProMTA refund could not be completed",
        "dispute-opened" => "You disputed a ProMTA payment",
        "dispute-closed" => "Your dispute of a ProMTA payment is closed",
        _ => "ProMTA billing notice",
    };

    [LoggerMessage(LogLevel.Warning, "Notification {NotificationId} refused by the smarthost ({Status}): {Reason}")]
    private partial void LogRejected(Guid notificationId, int status, string reason);

    [LoggerMessage(LogLevel.Warning, "Notification {NotificationId} not sent, retried in {Delay}: {Reason}")]
    private partial void LogDeferred(Guid notificationId, TimeSpan delay, string reason);
}
