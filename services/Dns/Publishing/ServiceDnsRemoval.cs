using ProMTA.Dns.Data;
using ProMTA.Dns.PowerDns;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Publishing;

/// <summary>
/// Removes everything published for a decommissioned service: exactly the rrsets it published (the PTR and A records of
/// its IPs, so quarantined IPs do not keep naming the old customer, and its sending domain's records), and the zones it
/// created; never a zone it did not create (the host zone, a reverse zone, another customer's domain) nor a record another
/// service published. Deleting what is already gone is a no-op, so a redelivery is safe.
/// </summary>
public sealed class ServiceDnsRemoval(PowerDnsClient powerDns, TimeProvider time)
{
    public async Task RunAsync(UnitOfWork work, Guid serviceId, CancellationToken ct)
    {
        var published = await PublishedRecords.ForServiceAsync(work, serviceId);
        foreach (var zone in published.GroupBy(p => p.Zone))
        {
            await powerDns.DeleteRecordsAsync(zone.Key, zone.Select(p => (p.Name, p.Type)), ct);
        }
        foreach (var zone in await HostedZones.ForServiceAsync(work, serviceId))
        {
            await powerDns.DeleteZoneAsync(zone, ct);
            await HostedZones.DeleteAsync(work, zone, serviceId);
        }
        await PublishedRecords.DeleteAsync(work, published);
        await SendingDomains.RemoveForServiceAsync(work, serviceId);
        await PtrRecords.DeleteForServiceAsync(work, serviceId);
        await PropagationChecks.DeleteAsync(work, serviceId);
        await DnsServices.DecommissionAsync(work, serviceId, time.GetUtcNow());
    }
}
