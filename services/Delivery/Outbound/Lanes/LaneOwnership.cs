using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.MailPolicy;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Outbound.Lanes;

/// <summary>
/// Which lanes (source IP or the default route x provider) this replica paces. Replicas share one queue and the same
/// IPs, and an ISP counts what an IP sends whichever process sends it, so each lane is paced by one replica at a time:
/// the holder of its lease (<see cref="LaneLeases"/>). A lane is asked for when this replica has mail for it; the owner
/// renews every <see cref="LaneLeaseOptions.RenewInterval"/> and saves the lane's learned state with the lease, and when
/// it stops (let go) or dies (not renewed for <see cref="LaneLeaseOptions.LeaseTtl"/>) the next replica with mail for
/// the lane takes it over from that state. A warming lane's owner reserves its sends in the shared daily counter first.
/// The live replicas spread the providers (<see cref="LaneSpread"/>): a free provider goes to a replica below its share,
/// and a replica pacing two providers more than another hands one over at a renewal (saved, then adopted by the other).
/// </summary>
public sealed partial class LaneOwnership(
    Database db, ThrottleController throttle, IOptions<LaneLeaseOptions> options, IOptions<OutboundOptions> outbound, TimeProvider time,
    ILogger<LaneOwnership> log)
{
    /// <summary>After another replica's lease refused us, how long before this replica asks for that lane again.</summary>
    public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<(string Lane, string Provider), OwnedLane> owned = new();
    private readonly ConcurrentDictionary<(string Lane, string Provider), DateTimeOffset> refusedAt = new();
    private readonly ConcurrentDictionary<(string Lane, string Provider), DateTimeOffset> overShareSince = new();
    private readonly SemaphoreSlim acquiring = new(1, 1);

    /// <summary>This process among the replicas (host, process id and a random part: two hosts in one test process differ).</summary>
    public string ReplicaId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}"[..^20];

    public TimeSpan RenewInterval => options.Value.RenewInterval;

    /// <summary>A single process (leases off) or a benchmark without pacing: this process paces every lane.</summary>
    private bool PacesEveryLane => !options.Value.Leased || outbound.Value.BypassThrottling;

    // The lane is ours until shortly before the database would let another replica take it.
    private TimeSpan Validity => options.Value.LeaseTtl - options.Value.RenewInterval;

    /// <summary>True when this replica may pace the lane now (it holds the lease); the claim loop claims only for those.</summary>
    public bool Paces(string lane, string provider) =>
        PacesEveryLane || owned.TryGetValue((lane, provider), out var held) && held.Valid(time.GetUtcNow());

    /// <summary>
    /// True when the claim loop may claim for the lane: this replica paces it and, while its IP warms up, the day's cap
    /// is not spent. (The controller's own count of a warming IP's sends can lag behind the shared counter after a
    /// take-over; a lane with room by that count but nothing reserved left pulled its provider's mail for other IPs
    /// into memory claim after claim: the claim is per provider label.)
    /// </summary>
    public bool MayClaim(string lane, string provider)
    {
        if (PacesEveryLane) return true;
        var now = time.GetUtcNow();
        if (!owned.TryGetValue((lane, provider), out var held) || !held.Valid(now)) return false;
        return throttle.WarmUpToday(lane, provider, now) is not { } day || !held.Spent(day);
    }

    /// <summary>
    /// Whether this replica may send one more message on the lane now, asking for the lane's lease when it has none and
    /// taking one reserved send when the lane's IP is warming up. Refused: the time to hand the message back until (now,
    /// for the lane's owner to send it; the next warm-up day once its cap is spent). Pair a refusal of the pace that
    /// follows with <see cref="Unused"/>.
    /// </summary>
    public async Task<Admission> AdmitAsync(string lane, string provider, CancellationToken ct)
    {
        if (PacesEveryLane) return Admission.Allowed;
        var now = time.GetUtcNow();
        if (!Paces(lane, provider) && !await TryAcquireAsync(lane, provider, now, ct)) return new Admission(now, null);
        if (throttle.WarmUpToday(lane, provider, now) is not { } day || !owned.TryGetValue((lane, provider), out var held)) return Admission.Allowed;
        var took = await held.TakeWarmUpSendAsync(day,
            () => ThrottleState.ReserveWarmUpSendsAsync(db, lane, provider, day, Math.Max(1, options.Value.WarmUpBlock), ct), ct);
        return took ? new Admission(null, day) : new Admission(day.EndsAt, null);
    }

    /// <summary>An admitted message did not go (the pace refused it, or it never reached the MX): its reserved warm-up send stays for the next one.</summary>
    public void Unused(string lane, string provider, Admission admission)
    {
        if (admission.WarmUpDay is { } day && owned.TryGetValue((lane, provider), out var held)) held.GiveBack(day);
    }

    /// <summary>
    /// Renews this replica's leases and heartbeat and saves the held lanes' state; a lane another replica took meanwhile is
    /// let go, a lane handed to this replica is adopted with its saved state. Then, pacing two providers more than another
    /// live replica, hands it one.
    /// </summary>
    public async Task RenewAsync(CancellationToken ct)
    {
        if (PacesEveryLane) return;
        // No ask in between: a lane taken after the renewal's statement would look lost here.
        await acquiring.WaitAsync(ct);
        try
        {
            var asked = time.GetUtcNow();
            var held = (await LaneLeases.RenewAsync(db, ReplicaId, options.Value.LeaseTtl, ct)).ToHashSet();
            foreach (var key in owned.Keys.Where(k => !held.Contains(k)).ToList())
            {
                if (!owned.TryRemove(key, out var lost)) continue;
                LogLost(key.Lane, key.Provider, ReplicaId);
                await ReturnUnusedAsync(key, lost, ct);
            }
            foreach (var key in held)
            {
                if (owned.TryGetValue(key, out var lane)) lane.Renewed(asked + Validity);
                else
                {
                    await TakeAsync(key, asked, ct);
                    LogHandedHere(key.Lane, key.Provider, ReplicaId);
                }
            }
            await SaveAsync(held, ct);
            await HandOverAsync(ct);
        }
        finally
        {
            acquiring.Release();
        }
    }

    /// <summary>At stop, after the last batch: saves the lanes' state, returns unused warm-up sends and lets every lane go at once.</summary>
    public async Task ReleaseAllAsync(CancellationToken ct)
    {
        if (PacesEveryLane) return;
        var lanes = owned.Keys.ToList();
        await SaveAsync(lanes.ToHashSet(), ct);
        foreach (var key in lanes)
        {
            if (owned.TryRemove(key, out var held)) await ReturnUnusedAsync(key, held, ct);
        }
        await LaneLeases.ReleaseAsync(db, lanes, ReplicaId, ct);
    }

    private async Task<bool> TryAcquireAsync(string lane, string provider, DateTimeOffset now, CancellationToken ct)
    {
        var key = (lane, provider);
        // The owner's lease is not asked for at every message another replica claimed by chance (a probe, another IP's mail).
        if (refusedAt.TryGetValue(key, out var refused) && now - refused < AskAgainAfter) return false;
        await acquiring.WaitAsync(ct);
        try
        {
            if (Paces(lane, provider)) return true;
            var asked = time.GetUtcNow();
            // Refused for our share a renew interval ago and still free: no replica below its share took it (none has
            // its mail claimed, or none asked), so this one takes it rather than leave the mail waiting; a hand-over
            // evens the spread out later.
            var beyondShare = overShareSince.TryGetValue(key, out var since) && asked - since >= options.Value.RenewInterval;
            var answer = await LaneLeases.TryAcquireAsync(db, lane, provider, ReplicaId, options.Value.LeaseTtl, beyondShare, ct);
            if (answer != LeaseAnswer.Taken)
            {
                refusedAt[key] = asked;
                if (answer == LeaseAnswer.OverShare) overShareSince.TryAdd(key, asked);
                else overShareSince.TryRemove(key, out _);
                return false;
            }
            overShareSince.TryRemove(key, out _);
            if (owned.TryGetValue(key, out var held))
            {
                // Ours all along (a renewal came late): what the lane learned here and its reserved sends stay.
                held.Renewed(asked + Validity);
                return true;
            }
            await TakeAsync(key, asked, ct);
            refusedAt.TryRemove(key, out _);
            LogTaken(lane, provider, ReplicaId);
            return true;
        }
        finally
        {
            acquiring.Release();
        }
    }

    // The previous owner saved what the lane learned (at its last renewal, when it let go, or as it handed the lane
    // over): start from there, not from what this replica knew when it last held the lane, nor from a new ISP's
    // starting rate.
    private async Task TakeAsync((string Lane, string Provider) key, DateTimeOffset asked, CancellationToken ct)
    {
        if (await ThrottleState.LoadLaneAsync(db, key.Lane, key.Provider, ct) is { } saved) throttle.RestoreLane(saved, time.GetUtcNow());
        owned[key] = new OwnedLane(asked + Validity);
    }

    // Only a replica pacing two providers or more can be two ahead of another.
    private async Task HandOverAsync(CancellationToken ct)
    {
        if (owned.Keys.Select(k => k.Provider).Distinct().Count() < 2) return;
        var moved = await LaneLeases.HandOverAsync(db, ReplicaId, options.Value.HandOverAfter, options.Value.LeaseTtl,
            loads => LaneSpread.HandOverTarget(loads, ReplicaId), provider => LetGoAsync(provider, ct), ct);
        if (moved is { } m) LogHandedOver(m.Provider, m.Replica, ReplicaId);
    }

    // As at a stop: pacing ends first (its mail waiting here goes back to the queue, for the next owner to claim), then
    // the state is saved for the next owner and the unused warm-up sends go back to the shared counter.
    private async Task LetGoAsync(string provider, CancellationToken ct)
    {
        var lanes = owned.Keys.Where(k => k.Provider == provider).ToList();
        foreach (var key in lanes)
        {
            if (owned.TryRemove(key, out var held)) await ReturnUnusedAsync(key, held, ct);
        }
        await SaveAsync(lanes.ToHashSet(), ct);
    }

    private Task SaveAsync(HashSet<(string Lane, string Provider)> lanes, CancellationToken ct) =>
        ThrottleState.SaveLanesAsync(db, [.. throttle.ExportLanes().Where(l => lanes.Contains((l.SourceIp, l.Provider)))], time.GetUtcNow(), ct);

    private Task ReturnUnusedAsync((string Lane, string Provider) key, OwnedLane held, CancellationToken ct) =>
        held.TakeUnused() is { } left ? ThrottleState.ReturnWarmUpSendsAsync(db, key.Lane, key.Provider, left.Day, left.Unused, ct) : Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Lane {Lane} x {Provider} is paced by this replica ({Replica}) from now")]
    private partial void LogTaken(string lane, string provider, string replica);

    [LoggerMessage(LogLevel.Information, "Lane {Lane} x {Provider} was handed to this replica ({Replica}) and is paced here from now")]
    private partial void LogHandedHere(string lane, string provider, string replica);

    [LoggerMessage(LogLevel.Information, "Provider {Provider}'s lanes were handed to replica {Target}, which paces fewer providers than this one ({Replica})")]
    private partial void LogHandedOver(string provider, string target, string replica);

    [LoggerMessage(LogLevel.Warning, "Lane {Lane} x {Provider} was taken over by another replica; this one ({Replica}) stops pacing it")]
    private partial void LogLost(string lane, string provider, string replica);
}

/// <summary>
/// <see cref="LaneOwnership.AdmitAsync"/>'s answer: null <paramref name="HandBackUntil"/> when the message may go on to
/// the lane's pace; <paramref name="WarmUpDay"/> when it took one of that day's reserved warm-up sends.
/// </summary>
public readonly record struct Admission(DateTimeOffset? HandBackUntil, MailPolicy.WarmUp.WarmUpDay? WarmUpDay)
{
    public static readonly Admission Allowed = new(null, null);
}
