using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.Delivery.Reputation;

namespace ProMTA.Delivery.Outbound.Claiming;

/// <summary>
/// Sorts claimed recipients onto egress paths: each recipient's source IP, its destination's provider (by MX), and a
/// destination's share split over the connections its path may have (whole messages per part), so a large backlog for
/// one domain is not sent down a single connection. Transactional mail forms its own batches (served first on the path).
/// </summary>
internal sealed class DestinationBatches(EgressPaths paths, BlockedSources blocked, IOptions<OutboundOptions> options)
{
    public IEnumerable<DestinationBatch> Form(IReadOnlyList<ClaimedRecipient> claimed, IReadOnlyDictionary<string, Route> routes)
    {
        foreach (var destination in claimed.GroupBy(r => (r.Domain, SourceIp: SourceIpFor(r), r.Transactional)))
        {
            var first = destination.First();
            var route = routes[first.Domain];
            var path = paths.For(destination.Key.SourceIp, paths.ProviderOf(first.Provider, route));
            var messages = destination.GroupBy(r => r.MessageId).ToList();
            var parts = Math.Clamp(path.Connections(first.ServiceId.ToString(), options.Value.MaxConnectionsPerDestination), 1, messages.Count);
            foreach (var part in messages.Select((m, i) => (Part: i % parts, Message: m)).GroupBy(x => x.Part, x => x.Message))
                yield return new DestinationBatch(first.Domain, route, path, [.. part.SelectMany(m => m)]);
        }
    }

    /// <summary>
    /// One of the service's dedicated IPs, the same for a destination every time (ISPs build reputation per IP), among
    /// those no blocklist lists for the recipient's provider: a listed IP's mail moves to the service's other IPs.
    /// </summary>
    private string? SourceIpFor(ClaimedRecipient r)
    {
        var usable = blocked.Usable(r.SourceIps, r.Provider);
        if (usable.Length == 0) return null;
        var hash = 2166136261u;
        foreach (var c in r.Domain) hash = (hash ^ c) * 16777619u;
        return usable[hash % (uint)usable.Length];
    }
}
