using Microsoft.Extensions.Options;
using ProMTA.Contracts.Dns;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Lookups;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Monitoring;

/// <summary>
/// Rule 19: tells the customer when their registrar's NS records point at ours, and only then publishes the domain's
/// records (issue 14: the delegation is the proof the domain is the customer's). Each hosted domain not delegated yet is
/// asked about again with backoff (Dns:DelegationFirstInterval doubling to DelegationMaxInterval, for as long as the
/// service lives); when it is delegated, SendingDomainVerified is published and the API shows it. A delegated domain is
/// asked again every Dns:DelegationRecheckInterval: one moved away shows as not delegated (and is announced again if
/// it comes back).
/// </summary>
public sealed partial class DelegationWatch(
    DelegationCheck check, SendingDomainZone zone, DnsMetrics metrics, IOptions<DnsOptions> options, TimeProvider time, ILogger<DelegationWatch> log)
{
    private const int BatchSize = 20;

    public async Task<int> RunDueAsync(Database db, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var due = await DnsServices.ClaimDelegationDueAsync(work, time.GetUtcNow(), BatchSize);
        var backoff = new Backoff(options.Value.DelegationFirstInterval, options.Value.DelegationMaxInterval);
        foreach (var service in due)
        {
            var delegation = await check.CheckAsync(service.SendingDomain!, ct);
            var now = time.GetUtcNow();
            var wasVerified = service.DomainVerifiedAt is not null;
            await DnsServices.RecordDelegationAsync(work, service.ServiceId, delegation.Seen, delegation.ToUs, now,
                now + (delegation.ToUs ? options.Value.DelegationRecheckInterval : backoff.After(service.DelegationAttempts + 1)));
            if (delegation.ToUs && !wasVerified)
            {
                // The domain comes with OrderPlaced, which also names the order.
                var orderId = service.OrderId ?? throw new InvalidOperationException($"Service {service.ServiceId} has a domain but no order");
                // Proven now (issue 14): the pending zone gets its DKIM key and every record mail needs; Delivery learns
                // the key (DkimKeyPublished) and that the service may send as the domain (SendingDomainVerified).
                if (!await DkimKeys.HasKeyAsync(work, service.ServiceId)) await zone.AddDkimKeyAsync(work, service.ServiceId, orderId, service.SendingDomain!);
                await zone.ApplyAsync(work, service.ServiceId, ct);
                await work.PublishAsync(new SendingDomainVerified { OrderId = orderId, ServiceId = service.ServiceId, Domain = service.SendingDomain!, VerifiedAt = now });
                metrics.Verified();
                LogVerified(service.SendingDomain!, service.ServiceId, string.Join(", ", delegation.Seen));
            }
            else if (!delegation.ToUs && wasVerified)
            {
                metrics.DelegationLost();
                LogLost(service.SendingDomain!, service.ServiceId, string.Join(", ", delegation.Seen));
            }
        }
        await work.CommitAsync(ct);
        return due.Count;
    }

    [LoggerMessage(LogLevel.Warning, "Sending domain {Domain} of {ServiceId} is no longer delegated to us (now {Nameservers}); checking again with backoff")]
    private partial void LogLost(string domain, Guid serviceId, string nameservers);

    [LoggerMessage(LogLevel.Information, "Sending domain {Domain} of {ServiceId} is delegated to us ({Nameservers})")]
    private partial void LogVerified(string domain, Guid serviceId, string nameservers);
}
