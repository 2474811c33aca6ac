using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Mail;

namespace ProMTA.Ordering.Accounts;

/// <summary>
/// Mails the recorded account links through the smarthost, one transaction per link (claimed with SKIP LOCKED, sent,
/// outcome committed), with the shared smarthost mechanics Billing's notices use. A link that expired or was used
/// before it could be sent is not sent at all. A smarthost that is down or answers 4xx is retried with a doubling
/// delay; a 5xx refusal is final.
/// </summary>
public sealed partial class AccountMailer(
    Database db, AccountLinkTokens tokens, IOptions<SmarthostOptions> mail, IOptions<AccountLinkOptions> options, TimeProvider time, ILogger<AccountMailer> log) : IDueMail
{
    /// <summary>Sends what is due; returns how many links got an outcome.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var settings = mail.Value;
        await using var smarthost = new SmarthostSession(settings);
        var done = 0;
        while (!ct.IsCancellationRequested)
        {
            await using var work = await db.BeginAsync(ct);
            var now = time.GetUtcNow();
            var due = await AccountLinks.ClaimAsync(work, now);
            if (due is null) break;
            if (due.Used || due.ExpiresAt <= now)
            {
                await AccountLinks.MarkAsync(work, due.Id, LinkMailStatus.Expired, "The link expired or was replaced before it could be sent.", null, attempted: false);
            }
            else
            {
                var attempt = await smarthost.SendAsync(Compose(due, smarthost.From), ct);
                if (attempt.Outcome == MailOutcome.Deferred)
                {
                    var delay = settings.RetryDelayAfter(due.MailAttempts);
                    await AccountLinks.RetryLaterAsync(work, due.Id, attempt.Reason!, now + delay);
                    await work.CommitAsync(ct);
                    LogDeferred(due.Id, delay, attempt.Reason!);
                    return done; // the smarthost is unhealthy: the next run tries again
                }
                if (attempt.Outcome == MailOutcome.Refused) LogRejected(due.Id, attempt.Reason!);
                await AccountLinks.MarkAsync(work, due.Id, attempt.Outcome == MailOutcome.Sent ? LinkMailStatus.Sent : LinkMailStatus.Rejected,
                    attempt.Reason, attempt.Outcome == MailOutcome.Sent ? time.GetUtcNow() : null, attempted: true);
            }
            await work.CommitAsync(ct);
            done++;
        }
        return done;
    }

    private MimeMessage Compose(AccountLinkToMail link, MailboxAddress from)
    {
        var portal = options.Value.PortalUrl!.TrimEnd('/');
        // In the fragment: the browser never sends it to the server, so it stays out of access logs and Referer headers.
        var token = tokens.TokenFor(link.Id);
        var until = link.ExpiresAt.UtcDateTime.ToString("d MMMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var (subject, text) = link.Purpose == LinkPurpose.TeamInvitation
            ? ($"Join {link.AccountName} on ProMTA",
               $"""
               You are invited to the ProMTA account of {link.AccountName} as {link.TeamRole}, with your own login ({link.Email}).

               Accept here and choose your password (the link works once, until {until}):
               {portal}/team/join#token={token}

               If you did not expect this, ignore this message: nothing happens unless the link is used.
               """)
            : link.Purpose == LinkPurpose.PasswordReset
            ? ("Choose a new ProMTA password",
               $"""
               Someone, hopefully you, asked to choose a new password for the ProMTA account of {link.Email}.

               Choose it here (the link works once, until {until}):
               {portal}/reset-password#token={token}

               Changing the password logs out every browser and script that logged in with the old one; API keys keep working.
               If you did not ask, ignore this message: your password stays as it is.
               """)
            : ("Confirm your e-mail address for ProMTA",
               $"""
               Welcome to ProMTA. Please confirm that {link.Email} is yours, so invoices, notices and password resets reach you:
               {portal}/verify-email#token={token}

               The link works once, until {until}. If you did not sign up, ignore this message.
               """);
        var message = new MimeMessage
        {
            Subject = subject,
            MessageId = $"{link.Id:N}@accounts.promta",
            Date = link.CreatedAt,
            Body = new TextPart("plain") { Text = text + "\n-- \nProMTA\n" },
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(link.Email));
        return message;
    }

    [LoggerMessage(LogLevel.Warning, "Account link {LinkId} refused by the smarthost: {Reason}")]
    private partial void LogRejected(Guid linkId, string reason);

    [LoggerMessage(LogLevel.Warning, "Account link {LinkId} not sent, retried in {Delay}: {Reason}")]
    private partial void LogDeferred(Guid linkId, TimeSpan delay, string reason);
}
