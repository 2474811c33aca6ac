using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.Delivery.Outbound.Outcome;
using ProMTA.Delivery.Reputation;
using ProMTA.MailPolicy.Providers;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Outbound.Claiming;

/// <summary>
/// The first stage (KumoMTA's scheduled queue): the only caller of the queue's claim. Each round it asks the egress
/// paths how much each provider may take now and claims no more, so mail our pacing would hold back stays in the queue
/// untouched (no row update); then it drops what was suppressed meanwhile, holds what every source IP is listed for,
/// and hands the rest, sorted onto egress paths, to the <see cref="ReadyQueue"/> without waiting for it to go.
/// </summary>
internal sealed partial class ClaimLoop(
    Database db, EgressPaths paths, DestinationBatches batches, RouteLookup routes, ReadyQueue ready, RecipientOutcomes outcomes, ClaimWakeUp wakeUp,
    BlockedSources blocked, ProviderCatalog providers, IOptions<OutboundOptions> options, IOptions<ReputationOptions> reputation,
    TimeProvider time, ILogger<ClaimLoop> log)
{
    /// <summary>A lane's claim covers what it may send this far ahead: room for one poll interval and the claim's own time.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromSeconds(2);

    /// <summary>How often labels outside the provider catalogue (a table replaced since they were queued) are claimed too.</summary>
    public static readonly TimeSpan StrayInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The least time between two claims of bulk mail while nothing more is due. A claim that found less than it could
    /// take has seen the whole due queue; claiming again at each finished batch only picks up what the relay queued
    /// meanwhile, and every claim walks past the recipients in flight (issue 19: 30-40 claims a second of about 12
    /// recipients in the relay benchmark, each with a completion of its own). Well inside <see cref="Horizon"/>;
    /// transactional mail is claimed at once (<see cref="ClaimWakeUp"/>).
    /// </summary>
    public static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(100);

    private DateTimeOffset straysClaimedAt = DateTimeOffset.MinValue;

    private OutboundOptions Options => options.Value;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Claim again at once only after a claim that filled a budget (more may be due); else when a batch
                // finished (its path has room again), transactional mail was queued here, or the poll interval passed,
                // and bulk not sooner than Spacing after the claim before.
                var progress = ready.NextCompletion();
                var queued = wakeUp.Next();
                var claimedAt = time.GetUtcNow();
                if (!await ClaimOnceAsync(stoppingToken))
                {
                    await Task.WhenAny(progress, queued, Task.Delay(Options.PollInterval, time, stoppingToken));
                    var early = Spacing - (time.GetUtcNow() - claimedAt);
                    if (!queued.IsCompleted && early > TimeSpan.Zero) await Task.WhenAny(queued, Task.Delay(early, time, stoppingToken));
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The claimed recipients come back when their lease ends; keep the loop alive.
                LogLoopFailed(ex);
                await Task.Delay(Options.PollInterval, time, stoppingToken);
            }
        }
    }

    /// <summary>One claim and its hand-over to the egress paths; true when it filled a provider's budget (more may be due).</summary>
    public async Task<bool> ClaimOnceAsync(CancellationToken ct)
    {
        var (claimed, full) = await ClaimAsync(ct);
        if (claimed.Count == 0) return false;
        var sendable = await SetAsideAsync(claimed, ct);
        if (sendable.Count == 0) return full;
        // Routes first: the MX host decides the provider (and so the egress path) a destination is shaped as.
        var found = await routes.ResolveAsync(sendable.Select(r => r.Domain), ct);
        foreach (var batch in batches.Form(sendable, found)) ready.Enqueue(batch, ct);
        return full;
    }

    // Benchmarks (BypassThrottling) claim through the same statement: only the budgets differ (EgressPaths.Budgets).
    private async Task<(IReadOnlyList<ClaimedRecipient> Claimed, bool Full)> ClaimAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var budgets = paths.Budgets(Horizon, Options.BatchSize);
        var strays = 0;
        if (now - straysClaimedAt >= StrayInterval)
        {
            // A label the catalogue no longer has is shaped as the default provider: it shares that provider's room.
            straysClaimedAt = now;
            strays = budgets.GetValueOrDefault((providers.Get(ProviderCatalog.DefaultName).Label, MailStream.Bulk), EgressPaths.FirstClaim);
        }
        if (budgets.Count == 0 && strays == 0) return ([], false);
        var claimed = await MessageQueue.ClaimPerProviderAsync(db, now, Options.Lease, budgets, strays, ct);
        var taken = claimed.CountBy(r => (r.Provider, r.Stream)).ToDictionary();
        return (claimed, budgets.Any(b => taken.GetValueOrDefault(b.Key) >= b.Value));
    }

    /// <summary>
    /// Sets aside, and completes at once, the recipients that must not go now: suppressed since they were queued
    /// (dropped, the sender is told) and those whose every source IP a blocklist lists for their provider (back at the
    /// next watch cycle: not an attempt, no ISP was asked). Returns the rest.
    /// </summary>
    private async Task<IReadOnlyList<ClaimedRecipient>> SetAsideAsync(IReadOnlyList<ClaimedRecipient> claimed, CancellationToken ct)
    {
        var until = time.GetUtcNow() + reputation.Value.Interval;
        var setAside = new List<RecipientResult>();
        var rest = new List<ClaimedRecipient>(claimed.Count);
        foreach (var r in claimed)
        {
            if (r.Suppressed) setAside.Add(outcomes.Suppressed(r));
            else if (r.SourceIps.Length > 0 && blocked.Usable(r.SourceIps, r.Provider).Length == 0)
                setAside.Add(RecipientOutcomes.Listed(r, string.Join(", ", r.SourceIps.SelectMany(ip => blocked.ZonesBlocking(ip, r.Provider)).Distinct()), until));
            else rest.Add(r);
        }
        await outcomes.CompleteAsync(setAside, ct);
        return rest;
    }

    [LoggerMessage(LogLevel.Error, "Delivery claim loop failed; retrying")]
    private partial void LogLoopFailed(Exception ex);
}
