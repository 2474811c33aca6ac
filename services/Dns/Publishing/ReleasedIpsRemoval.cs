using Microsoft.Extensions.Options;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.PowerDns;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Publishing;

/// <summary>
/// A running service gave IPs back (a downgrade, issue 17): the PTR and forward A records we published for exactly
/// those IPs go, so a quarantined address no longer names the customer's host; the service's other records stay (its
/// sending domain's SPF and A follow the ReverseDnsRequested that lists the IPs it keeps). Deleting what is already
/// gone is a no-op, so a redelivery is safe.
/// </summary>
public sealed class ReleasedIpsRemoval(PowerDnsClient powerDns, IOptions<DnsOptions> options)
{
    public async Task RunAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> releasedIps, CancellationToken ct)
    {
        if (releasedIps.Count == 0) return;
        var hostZone = ReverseZones.Fqdn(options.Value.HostZone);
        var ptrNames = releasedIps.Select(ReverseZones.PtrName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var gone = (await PublishedRecords.ForServiceAsync(work, serviceId))
            .Where(r => r.Type == "PTR" && ptrNames.Contains(r.Name) || r.Type == "A" && r.Zone == hostZone && releasedIps.Contains(r.Value))
            .ToList();
        foreach (var zone in gone.GroupBy(r => r.Zone))
        {
            await powerDns.DeleteRecordsAsync(zone.Key, zone.Select(r => (r.Name, r.Type)), ct);
        }
        await PublishedRecords.DeleteAsync(work, gone);
        await PtrRecords.DeleteAsync(work, serviceId, releasedIps);
    }
}
