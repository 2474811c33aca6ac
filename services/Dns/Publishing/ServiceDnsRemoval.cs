using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.PowerDns;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Publishing;

/// <summary>
/// Removes everything published for a decommissioned service: the PTR and A records of its IPs (quarantined IPs must not
/// keep naming the old customer) and the sending-domain zone. Deleting what is already gone is a no-op, so a redelivery is safe.
/// </summary>
public sealed class ServiceDnsRemoval(PowerDnsClient powerDns, TimeProvider time)
{
    public async Task RunAsync(UnitOfWork work, Guid serviceId, CancellationToken ct)
    {
        var service = await DnsServices.FindAsync(work, serviceId);
        var sendingZone = service?.SendingDomain is { } domain ? ReverseZones.Fqdn(domain) : null;
        var published = await PublishedRecords.ForServiceAsync(work, serviceId);
        foreach (var zone in published.Where(p => p.Zone != sendingZone).GroupBy(p => p.Zone))
        {
            await powerDns.DeleteRecordsAsync(zone.Key, zone.Select(p => (p.Name, p.Type)), ct);
        }
        if (sendingZone is not null) await powerDns.DeleteZoneAsync(sendingZone, ct);
        await PublishedRecords.DeleteAsync(work, published);
        await PtrRecords.DeleteForServiceAsync(work, serviceId);
        await PropagationChecks.DeleteAsync(work, serviceId);
        await DnsServices.DecommissionAsync(work, serviceId, time.GetUtcNow());
    }
}
