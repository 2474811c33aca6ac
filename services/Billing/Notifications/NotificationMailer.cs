using Microsoft.Extensions.Options;
using MimeKit;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Mail;

namespace ProMTA.Billing.Notifications;

/// <summary>
/// Mails the stored customer notifications through the configured smarthost, one transaction per notification:
/// claimed with SKIP LOCKED, sent, its outcome committed. A crash between sending and committing sends it again
/// (with the same Message-ID, so mail clients show it once) rather than never. A smarthost that is down or answers
/// 4xx is retried with a doubling delay, without end; a 5xx refusal is final and recorded. Nothing is ever deleted.
/// </summary>
public sealed partial class NotificationMailer(Database db, IOptions<SmarthostOptions> options, TimeProvider time, ILogger<NotificationMailer> log) : IDueMail
{
    /// <summary>Sends what is due; returns how many notifications got an outcome (sent or final).</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var settings = options.Value;
        await using var smarthost = new SmarthostSession(settings);
        var done = 0;
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
            var attempt = await smarthost.SendAsync(Compose(due, smarthost.From), ct);
            switch (attempt.Outcome)
            {
                case MailOutcome.Sent:
                    await NotificationRepository.MarkSentAsync(work, due.Id, time.GetUtcNow());
                    break;
                case MailOutcome.Refused:
                    await NotificationRepository.MarkFinalAsync(work, due.Id, "Rejected", attempt.Reason!);
                    LogRejected(due.Id, attempt.Reason!);
                    break;
                default:
                    var delay = settings.RetryDelayAfter(due.MailAttempts);
                    await NotificationRepository.RetryLaterAsync(work, due.Id, attempt.Reason!, time.GetUtcNow() + delay);
                    await work.CommitAsync(ct);
                    LogDeferred(due.Id, delay, attempt.Reason!);
                    return done; // the smarthost is unhealthy: the next run tries again
            }
            await work.CommitAsync(ct);
            done++;
        }
        return done;
    }

    private static MimeMessage Compose(NotificationToMail notification, MailboxAddress from)
    {
        var message = new MimeMessage
        {
            Subject = Subject(notification.Kind),
            MessageId = $"{notification.Id:N}@billing.promta",
            Date = notification.CreatedAt,
            Body = new TextPart("plain") { Text = $"{notification.Message}\n\nYour notifications: GET /api/notifications\n-- \nProMTA Billing\n" },
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(notification.Email!));
        if (notification.AccountManagerEmail is { } manager && MailboxAddress.TryParse(manager, out var copy)) message.Cc.Add(copy);
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
        "blocklisted" => "A blocklist lists your ProMTA IP or domain",
        "delisted" => "A blocklist no longer lists your ProMTA IP or domain",
        _ => "ProMTA billing notice",
    };

    [LoggerMessage(LogLevel.Warning, "Notification {NotificationId} refused by the smarthost: {Reason}")]
    private partial void LogRejected(Guid notificationId, string reason);

    [LoggerMessage(LogLevel.Warning, "Notification {NotificationId} not sent, retried in {Delay}: {Reason}")]
    private partial void LogDeferred(Guid notificationId, TimeSpan delay, string reason);
}
