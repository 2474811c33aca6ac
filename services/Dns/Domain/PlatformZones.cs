using Microsoft.Extensions.Options;
using ProMTA.Dns.PowerDns;
using ProMTA.ServiceDefaults.Domains;

namespace ProMTA.Dns.Domain;

/// <summary>
/// Zones the platform serves for itself: the host zone, our nameservers' names and the reverse tree. Ordering refuses
/// them at order time; Dns never hosts a customer zone overlapping one either, whatever a message says.
/// </summary>
public sealed class PlatformZones(IOptions<DnsOptions> dns, IOptions<PowerDnsOptions> powerDns)
{
    public bool Overlaps(string domain)
    {
        var name = DomainName.Normalize(domain);
        if (name is null) return true;
        var zones = powerDns.Value.Nameservers.Append(dns.Value.HostZone).Append("arpa").Select(DomainName.Normalize).OfType<string>();
        return zones.Any(z => DomainName.IsSelfOrBelow(name, z) || DomainName.IsSelfOrBelow(z, name));
    }
}
