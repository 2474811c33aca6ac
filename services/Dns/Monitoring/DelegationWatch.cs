using Microsoft.Extensions.Options;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Lookups;
using ProMTA.ServiceDefaults.Data;
using ProMTA.Timing;

namespace ProMTA.Dns.Monitoring;

/// <summary>
/// Rule 19: tells the customer when their registrar's NS records point at ours, and only then publishes the domain's
/// records (issue 14: the delegation is the proof the domain is the customer's). Each hosted domain not delegated yet is
/// asked about again with backoff (Dns:DelegationFirstInterval doubling to DelegationMaxInterval, for as long as the
/// service lives); when it is delegated, the API shows it and the domain is queued for DomainPublication, which makes its
/// DKIM key, publishes its records and then SendingDomainVerified. A delegated domain is
/// asked again every Dns:DelegationRecheckInterval: one moved away shows as not delegated (and is announced again if
/// it comes back).
/// </summary>
public sealed partial class DelegationWatch(
    DelegationCheck check, DnsMetrics metrics, IOptions<DnsOptions> options, TimeProvider time, ILogger<DelegationWatch> log)
{
    private const int BatchSize = 20;

    public async Task<int> RunDueAsync(Database db, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var due = await SendingDomains.ClaimDelegationDueAsync(work, time.GetUtcNow(), BatchSize);
        var backoff = new Backoff(options.Value.DelegationFirstInterval, options.Value.DelegationMaxInterval);
        foreach (var domain in due)
        {
            var delegation = await check.CheckAsync(domain.Domain, ct);
            var now = time.GetUtcNow();
            var wasDelegated = domain.DelegatedAt is not null;
            await SendingDomains.RecordDelegationAsync(work, domain.Domain, delegation.Seen, delegation.ToUs, now,
                now + (delegation.ToUs ? options.Value.DelegationRecheckInterval : backoff.After(domain.DelegationAttempts + 1)));
            if (delegation.ToUs && !wasDelegated)
            {
                // Proven now (issue 14): the zone gets its DKIM key and every record mail needs, and Delivery hears of
                // it, from DomainPublisher's own loop: making a key is RSA 2048, and a fleet's worth of domains
                // delegated at once must not hold up the next batches of this check, nor the drift and propagation steps.
                await SendingDomains.QueuePublicationAsync(work, domain.Domain, now);
                LogDelegated(domain.Domain, domain.ServiceId, string.Join(", ", delegation.Seen));
            }
            else if (!delegation.ToUs && wasDelegated)
            {
                metrics.DelegationLost();
                LogLost(domain.Domain, domain.ServiceId, string.Join(", ", delegation.Seen));
            }
        }
        await work.CommitAsync(ct);
        return due.Count;
    }

    [LoggerMessage(LogLevel.Warning, "Sending domain {Domain} of {ServiceId} is no longer delegated to us (now {Nameservers}); checking again with backoff")]
    private partial void LogLost(string domain, Guid serviceId, string nameservers);

    [LoggerMessage(LogLevel.Information, "Sending domain {Domain} of {ServiceId} is delegated to us ({Nameservers}); its records are queued for publication")]
    private partial void LogDelegated(string domain, Guid serviceId, string nameservers);
}
