using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Reputation;

namespace ProMTA.Delivery.Reputation;

/// <summary>
/// Which source IPs a blocklist lists right now, and for which providers (the lists' configured users): the worker
/// sends from another of the service's IPs, or holds the mail when every IP is listed. Refreshed by the watch after
/// each cycle from the open listings, so every replica acts on what any replica saw.
/// </summary>
public sealed class BlockedSources(IOptions<ReputationOptions> options)
{
    private volatile FrozenDictionary<string, Listing[]> listed = FrozenDictionary<string, Listing[]>.Empty;

    public sealed record Listing(string Zone, string[] Providers);

    public void Refresh(IEnumerable<BlocklistListing> open)
    {
        var zones = options.Value.Blocklists.ToDictionary(z => z.Name, StringComparer.OrdinalIgnoreCase);
        listed = open.Where(l => l.Kind == BlocklistKinds.Ip)
            .GroupBy(l => l.Subject)
            .ToFrozenDictionary(g => g.Key, g => g.Select(l => new Listing(l.Zone, zones.TryGetValue(l.Zone, out var z) ? z.Providers : [])).Distinct().ToArray());
    }

    /// <summary>The lists that keep <paramref name="ip"/> from sending to <paramref name="provider"/> (a recipient's provider); empty when none.</summary>
    public IReadOnlyList<string> ZonesBlocking(string ip, string provider) =>
        listed.TryGetValue(ip, out var listings)
            ? [.. listings.Where(l => l.Providers.Length == 0 || l.Providers.Contains(provider, StringComparer.OrdinalIgnoreCase)).Select(l => l.Zone)]
            : [];

    /// <summary>The IPs of <paramref name="sourceIps"/> that may send to <paramref name="provider"/>.</summary>
    public string[] Usable(string[] sourceIps, string provider) =>
        listed.Count == 0 ? sourceIps : [.. sourceIps.Where(ip => ZonesBlocking(ip, provider).Count == 0)];
}
