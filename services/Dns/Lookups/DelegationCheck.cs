using DnsClient;
using DnsClient.Protocol;
using ProMTA.Dns.Domain;

namespace ProMTA.Dns.Lookups;

/// <summary>What the parent zone (or a public resolver) says the domain's nameservers are.</summary>
public sealed record Delegation(bool ToUs, IReadOnlyList<string> Seen);

/// <summary>
/// Whether the customer's registrar points the sending domain at our nameservers (rule 19), asked over DNS of the
/// configured resolvers (Dns:DelegationResolvers). A public recursive resolver answers the NS set in its answer section;
/// the parent zone's own server answers with a referral, the NS set in the authority section: both count. Delegated
/// means every resolver sees a non-empty NS set made only of our nameservers; a set mixing in a foreign one is not,
/// since resolvers asking that one would get other answers for SPF and DKIM.
/// </summary>
public sealed class DelegationCheck(IReadOnlyList<DnsLookup> resolvers, IReadOnlyList<string> ourNameservers)
{
    private readonly HashSet<string> ours = [.. ourNameservers.Select(ReverseZones.Fqdn)];

    public async Task<Delegation> CheckAsync(string domain, CancellationToken ct)
    {
        var owner = ReverseZones.Fqdn(domain);
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var toUs = resolvers.Count > 0;
        foreach (var resolver in resolvers)
        {
            var response = await resolver.QueryAsync(owner, QueryType.NS, ct);
            var names = response is null ? [] : response.Answers.Concat(response.Authorities).OfType<NsRecord>()
                .Where(ns => ReverseZones.Fqdn(ns.DomainName.Value) == owner)
                .Select(ns => ReverseZones.Fqdn(ns.NSDName.Value)).ToList();
            seen.UnionWith(names);
            toUs &= names.Count > 0 && names.All(ours.Contains);
        }
        return new Delegation(toUs, [.. seen]);
    }
}
