using Microsoft.Extensions.Options;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Relay;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;
using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Providers;

namespace ProMTA.Delivery.Dsn;

/// <summary>
/// Tells senders about their recipients that bounced (5xx) or expired: one RFC 3464 report per message for all its
/// failures flagged since the last run, queued in our own durable queue (MAIL FROM:&lt;&gt;, the service's IPs and DKIM key)
/// in the transaction that clears the flags, so a crash neither loses nor repeats a report. A message whose own
/// sender was null gets none: reports never cause reports.
/// </summary>
public sealed partial class DsnJob(
    Database db, ProviderCatalog providers, IOptions<DsnOptions> options, IOptions<OutboundOptions> outbound, TimeProvider time, MigrationState migrations, ILogger<DsnJob> log)
    : PeriodicJob(migrations, time, log)
{
    // Fields, not captured parameters: the base class gets the same clock and logger.
    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        while (await ReportBatchAsync(ct) == options.Value.BatchSize)
        {
            // a full batch: more may be waiting
        }
    }

    private async Task<int> ReportBatchAsync(CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var claimed = await DsnQueue.ClaimAsync(work, options.Value.BatchSize);
        if (claimed.Count == 0) return 0;
        var keys = await DkimKeys.CurrentAsync(db, claimed.Select(c => c.Message.ServiceId).Distinct(), ct);
        var senders = await SendingDomains.ForServicesAsync(db, claimed.Select(c => c.Message.ServiceId).Distinct(), ct);
        var now = clock.GetUtcNow();
        var reports = new List<NewMessage>();
        foreach (var (message, failed) in claimed)
        {
            if (!MailboxAddress.TryParse(message.MailFrom, out var sender) || sender.Domain is not { Length: > 0 } domain)
            {
                // Null reverse path (a bounce itself, or a customer's own null-sender mail) or no usable address: nobody to tell.
                LogNoReport(message.Id, message.MailFrom);
                continue;
            }
            if (!SenderPolicy.Allows(senders[message.ServiceId], domain))
            {
                // No backscatter: a report only ever goes to an address of the service's own domains, never to a forged one.
                LogNotOwnSender(message.Id, message.MailFrom);
                continue;
            }
            var report = Build(message, failed, keys.GetValueOrDefault(message.ServiceId)?.For(domain), now);
            using var bytes = new MemoryStream();
            await report.WriteToAsync(bytes, ct);
            reports.Add(new NewMessage(Guid.CreateVersion7(), message.ServiceId, "", bytes.ToArray(), null,
                [new NewRecipient(sender.Address, domain.ToLowerInvariant(), providers.ForRecipientDomain(domain).Label)], now, now + outbound.Value.MessageLifetime));
            LogReported(message.Id, sender.Address, failed.Count);
        }
        // All of the batch's reports in one statement, in the transaction that clears their flags.
        if (reports.Count > 0) await MessageQueue.EnqueueAsync(work, reports);
        await DsnQueue.DoneAsync(work, claimed.SelectMany(c => c.Failed).Select(r => r.Id));
        await work.CommitAsync(ct);
        return claimed.Count;
    }

    /// <summary>
    /// From MAILER-DAEMON at the service's signing domain when it has one, so the report is DKIM-signed and aligned; the
    /// Reporting-MTA is the service's own PTR name, as its sessions greet.
    /// </summary>
    private MimeMessage Build(DsnMessage message, IReadOnlyList<DsnRecipient> failed, DkimKey? key, DateTimeOffset now)
    {
        var host = SourceHostnames.First(message.SourceHostnames, outbound.Value.HeloName);
        return DeliveryStatusNotification.Create(host, key?.Domain.TrimEnd('.') ?? host, message.MailFrom, message.Id, message.ReceivedAt,
            OriginalHeaders(message.Head),
            [.. failed.Select(r => new FailedRecipient(r.Address, r.LastReply, r.BounceClass == BounceClass.Expired, r.LastAttemptAt, r.DsnOrcpt))], now,
            new DsnRequest(message.DsnEnvid, message.FullMessage is { } full ? ParseFull(full) : null));
    }

    private static MimeMessage? ParseFull(byte[] data)
    {
        try
        {
            return MimeMessage.Load(new MemoryStream(data, writable: false));
        }
        catch (FormatException)
        {
            // Unparseable: the report falls back to the headers.
            return null;
        }
    }

    private static HeaderList OriginalHeaders(byte[] head)
    {
        try
        {
            return HeaderList.Load(new MemoryStream(head, writable: false));
        }
        catch (FormatException)
        {
            // Unparseable headers: the report still goes out, without them.
            return [];
        }
    }

    [LoggerMessage(LogLevel.Information, "Delivery status notification for {MessageId} queued to {Sender} ({Failed} failed recipients)")]
    private partial void LogReported(Guid messageId, string sender, int failed);

    [LoggerMessage(LogLevel.Warning, "No delivery status notification for {MessageId}: its sender <{Sender}> is not one of the service's domains")]
    private partial void LogNotOwnSender(Guid messageId, string sender);

    [LoggerMessage(LogLevel.Information, "No delivery status notification for {MessageId}: its sender <{Sender}> cannot receive one")]
    private partial void LogNoReport(Guid messageId, string sender);
}
