using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Providers;

namespace ProMTA.Delivery.Outbound.Egress;

/// <summary>
/// Every egress path (source IP x provider) this process has sent on, and what the claim loop may claim per provider
/// label: the room of that provider's paths within the claim horizon.
/// </summary>
internal sealed class EgressPaths(
    ThrottleController throttle, ProviderCatalog providers, LaneOwnership lanes, IOptions<OutboundOptions> options, TimeProvider time)
{
    /// <summary>
    /// A label none of whose paths has room is still offered one recipient this often: its mail may be for a source IP
    /// no path knows yet (another service's), which only a claim can show. The probe is paced like any other message.
    /// </summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);

    /// <summary>What a label without any path yet may claim: enough to learn its lanes, little enough to pace in memory.</summary>
    public const int FirstClaim = 5;

    private readonly ConcurrentDictionary<(string? SourceIp, string Provider), EgressPath> paths = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> probedAt = new();

    public EgressPath For(string? sourceIp, string provider) =>
        paths.GetOrAdd((sourceIp, provider), key => new EgressPath(key.SourceIp, key.Provider, throttle, lanes, time, options.Value.BypassThrottling,
            options.Value.TransactionalReserve));

    /// <summary>The provider a destination is shaped as: by its MX host, else by the label its recipients were queued under.</summary>
    public string ProviderOf(string label, Route route) => providers.ShapedAs(label, route.Targets.Count > 0 ? route.Targets[0].Host : null);

    /// <summary>Recipients claimed and not yet completed, over all paths.</summary>
    public int Pending => paths.Values.Sum(p => p.Pending);

    /// <summary>Transactional recipients claimed and not yet completed, over all paths.</summary>
    public int PendingTransactional => paths.Values.Sum(p => p.PendingTransactional);

    /// <summary>
    /// How many due recipients of each provider label and stream to claim now: the room of the label's paths for that
    /// stream within <paramref name="horizon"/> (at most <paramref name="cap"/>; transactional mail has its own, see
    /// <see cref="EgressPath.Room"/>), <see cref="FirstClaim"/> of each for a label without paths; without pacing, what
    /// keeps its batches in flight (<see cref="Unpaced"/>).
    /// </summary>
    public IReadOnlyDictionary<(string Label, string Stream), int> Budgets(TimeSpan horizon, int cap)
    {
        var budgets = new Dictionary<(string, string), int>();
        foreach (var label in providers.Labels)
        {
            var provider = providers.ForLabel(label).Name;
            var lanes = paths.Values.Where(p => p.Provider == provider).ToList();
            var (bulk, transactional) = options.Value.BypassThrottling ? Unpaced(lanes) : Paced(label, lanes, horizon);
            if (transactional > 0) budgets[(label, MailStream.Transactional)] = Math.Min(transactional, cap);
            if (bulk > 0) budgets[(label, MailStream.Bulk)] = Math.Min(bulk, cap);
        }
        return budgets;
    }

    private (int Bulk, int Transactional) Paced(string label, List<EgressPath> lanes, TimeSpan horizon)
    {
        var bulk = lanes.Count == 0 ? FirstClaim : lanes.Sum(p => p.Room(horizon, transactional: false));
        var transactional = lanes.Count == 0 ? FirstClaim : lanes.Sum(p => p.Room(horizon, transactional: true));
        var now = time.GetUtcNow();
        if ((bulk == 0 || transactional == 0) && now - probedAt.GetValueOrDefault(label) >= ProbeInterval)
        {
            probedAt[label] = now;
            bulk = Math.Max(bulk, 1);
            transactional = Math.Max(transactional, 1);
        }
        return (bulk, transactional);
    }

    /// <summary>
    /// Without pacing (benchmarks: the claim is the one production runs, only the pace is out of the way) a label may
    /// have <see cref="OutboundOptions.Workers"/> batches in flight, refilled by half a batch at least, so a stream of
    /// finishing batches does not become a stream of tiny claims; transactional mail has a batch of its own.
    /// </summary>
    private (int Bulk, int Transactional) Unpaced(List<EgressPath> lanes)
    {
        var batch = options.Value.BatchSize;
        var pending = lanes.Sum(p => p.Pending);
        var room = batch * Math.Max(1, options.Value.Workers) - pending;
        var bulk = room <= 0 || (pending > 0 && room < batch / 2) ? 0 : room;
        return (bulk, Math.Max(0, batch - lanes.Sum(p => p.PendingTransactional)));
    }
}
