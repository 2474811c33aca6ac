using ProMTA.Contracts.Provisioning;
using ProMTA.Dns.Domain;

namespace ProMTA.Dns.Lookups;

/// <summary>
/// Asks every configured resolver over DNS (not the API) whether each PTR and its forward A record answer, so
/// "propagated" means the resolvers really see it (forward-confirmed reverse DNS, as receiving MTAs check it).
/// </summary>
public sealed class PropagationCheck(IReadOnlyList<DnsLookup> resolvers)
{
    /// <summary>What is not seen yet, one line per record and resolver; empty when everything answers everywhere.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(IEnumerable<ReverseDnsEntry> entries, CancellationToken ct)
    {
        var missing = new List<string>();
        foreach (var entry in entries)
        {
            var ptr = new DnsRecord(ReverseZones.PtrName(entry.Ip), "PTR", ReverseZones.Fqdn(entry.Hostname));
            var a = new DnsRecord(ReverseZones.Fqdn(entry.Hostname), "A", entry.Ip);
            foreach (var resolver in resolvers)
            {
                foreach (var record in new[] { ptr, a })
                {
                    if (!LiveRecordCheck.IsExactly(await resolver.ValuesAsync(record.Name, record.Type, ct), record))
                    {
                        missing.Add($"{record.Type} {record.Name} at {resolver.Server}");
                    }
                }
            }
        }
        return missing;
    }
}
