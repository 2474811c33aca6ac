using Microsoft.Extensions.Options;
using ProMTA.Contracts.Provisioning;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Monitoring;
using ProMTA.Dns.PowerDns;

namespace ProMTA.Dns.Publishing;

/// <summary>
/// Publishes a PTR and the matching A record (forward-confirmed reverse DNS) for every dedicated IP of a request and
/// starts watching them answer over DNS; ReverseDnsPropagated follows when every resolver sees them. What the
/// ReverseDnsRequested consumer does, and the scale benchmark's seeding too.
/// </summary>
public sealed class ReverseDnsPublication(
    PowerDnsClient powerDns, ReverseDnsPropagation propagation, SendingDomainZone sendingDomain, IOptions<DnsOptions> options, TimeProvider time)
{
    public async Task PublishAsync(ServiceDefaults.Data.UnitOfWork work, ReverseDnsRequested request, CancellationToken ct)
    {
        var hostZone = ReverseZones.Fqdn(options.Value.HostZone);
        var publishedAt = time.GetUtcNow();
        foreach (var entry in request.Entries)
        {
            var reverseZone = ReverseZones.ZoneOf(entry.Ip);
            // Both zones are shared (every service's hostnames, every IP of a /24): created by the first record they get.
            await powerDns.ReplaceRecordAsync(reverseZone, ReverseZones.PtrName(entry.Ip), "PTR", ReverseZones.Fqdn(entry.Hostname), ct);
            await powerDns.ReplaceRecordAsync(hostZone, ReverseZones.Fqdn(entry.Hostname), "A", entry.Ip, ct);
            await PublishedRecords.SaveAsync(work, request.ServiceId, reverseZone, [new DnsRecord(ReverseZones.PtrName(entry.Ip), "PTR", ReverseZones.Fqdn(entry.Hostname))], publishedAt);
            await PublishedRecords.SaveAsync(work, request.ServiceId, hostZone, [new DnsRecord(ReverseZones.Fqdn(entry.Hostname), "A", entry.Ip)], publishedAt);
        }
        // The sending domain's SPF, MX and A records name these IPs.
        await DnsServices.SetIpsAsync(work, request.ServiceId, [.. request.Entries.Select(e => e.Ip)]);
        await sendingDomain.ApplyAsync(work, request.ServiceId, ct);
        // Checked once now; what does not answer yet is checked again with backoff by the monitor (rule 3).
        await propagation.StartAsync(work, request, ct);
    }
}
