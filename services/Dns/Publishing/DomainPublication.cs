using ProMTA.Contracts.Dns;
using ProMTA.Dns.Data;
using ProMTA.Dns.Dkim;
using ProMTA.Dns.Monitoring;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Publishing;

/// <summary>
/// Publishes what a domain needs once its delegation is seen (rule 19, issue 14): its first DKIM key (Delivery learns it
/// from DkimKeyPublished), SPF, DMARC, MX and the rest, then SendingDomainVerified: the service may send as the domain.
/// DelegationWatch queues the domain; this runs from DomainPublisher's own loop, because a key is RSA 2048 (about 0.2 s
/// of CPU, 0.45 s on loaded cores): 20,000 domains delegated at once held the monitor's drift step for hours when the
/// delegation check made the keys itself. A batch's keys are made side by side, one per core.
/// </summary>
public sealed partial class DomainPublication(SendingDomainZone zone, DnsMetrics metrics, TimeProvider time, ILogger<DomainPublication> log)
{
    // One key per core at a time; the batch's rows stay locked for about the time of one key and one zone write each.
    private static readonly int BatchSize = Math.Max(2, Environment.ProcessorCount);

    public async Task<int> RunDueAsync(Database db, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var due = await SendingDomains.ClaimPublicationDueAsync(work, time.GetUtcNow(), BatchSize);
        var keyless = new List<HostedDomain>();
        foreach (var domain in due)
        {
            if (domain.DelegatedAt is not null && !await DkimKeys.HasKeyAsync(work, domain.ServiceId, domain.Domain)) keyless.Add(domain);
        }
        var now = time.GetUtcNow();
        var keys = await Task.WhenAll(keyless.Select(_ => Task.Run(() => DkimKeyPair.Generate(now), ct)));
        var keyOf = keyless.Select((domain, i) => (domain.Domain, Key: keys[i])).ToDictionary(k => k.Domain, k => k.Key);
        foreach (var domain in due)
        {
            await SendingDomains.PublicationDoneAsync(work, domain.Domain);
            // Moved away again before its turn: nothing is published; seen delegated again, it is queued again.
            if (domain.DelegatedAt is not { } delegatedAt) continue;
            var orderId = domain.OrderId ?? throw new InvalidOperationException($"Service {domain.ServiceId} has a domain but no order");
            if (keyOf.TryGetValue(domain.Domain, out var key)) await zone.AddDkimKeyAsync(work, domain.ServiceId, orderId, domain.Domain, key);
            await zone.ApplyAsync(work, domain.ServiceId, ct);
            await work.PublishAsync(new SendingDomainVerified { OrderId = orderId, ServiceId = domain.ServiceId, Domain = domain.Domain, VerifiedAt = delegatedAt });
            metrics.Verified();
            LogPublished(domain.Domain, domain.ServiceId);
        }
        await work.CommitAsync(ct);
        return due.Count;
    }

    [LoggerMessage(LogLevel.Information, "Sending domain {Domain} of {ServiceId} is verified: its DKIM key and records are published")]
    private partial void LogPublished(string domain, Guid serviceId);
}
