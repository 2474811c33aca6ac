using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.MailPolicy;

namespace ProMTA.Delivery.Outbound;

/// <summary>
/// Keeps the in-memory throttling controller and the database in step: on start every saved lane and warm-up is given
/// back to the controller (a restart does not forget what each ISP allowed); then the lanes are saved every
/// <c>Delivery:ThrottleStateInterval</c> and on stop, and warm-ups started elsewhere (activation, another replica) are
/// picked up. Each replica saves only the lanes it paces (their leases: <see cref="Lanes.LaneOwnership"/>), and warm-up
/// sends add up (each stores what it sent since its last save and reads back the day's total).
/// </summary>
public sealed class ThrottleStateSync(Database db, ThrottleController throttle, TimeProvider time, Lanes.LaneOwnership? lanes = null)
{
    private readonly HashSet<string> warming = new(StringComparer.Ordinal);

    public async Task RestoreAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var lane in await ThrottleState.LoadLanesAsync(db, ct)) throttle.RestoreLane(lane, now);
        await PickUpWarmUpsAsync(ct);
    }

    public async Task SyncAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // Only the lanes this replica paces: another replica's lane here holds stale knowledge that must not overwrite its owner's.
        await ThrottleState.SaveLanesAsync(db, [.. throttle.ExportLanes().Where(l => lanes?.Paces(l.SourceIp, l.Provider) ?? true)], now, ct);
        var sends = throttle.TakeUnsavedWarmUpSends();
        try
        {
            await ThrottleState.AddWarmUpSendsAsync(db, sends, now, ct);
        }
        catch
        {
            throttle.ReturnUnsavedWarmUpSends(sends);
            throw;
        }
        await PickUpWarmUpsAsync(ct);
    }

    /// <summary>Starts the warm-up of an IP in this process (the row is written by whoever activated the service).</summary>
    public void BeginWarmUp(string sourceIp, DateTimeOffset startedAt)
    {
        lock (warming)
        {
            if (!warming.Add(sourceIp)) return;
        }
        throttle.BeginWarmUp(sourceIp, startedAt);
    }

    /// <summary>Warm-ups (activation, another replica) and what every process sent today from those IPs.</summary>
    private async Task PickUpWarmUpsAsync(CancellationToken ct)
    {
        foreach (var row in await ThrottleState.WarmUpsAsync(db, ct)) BeginWarmUp(row.SourceIp, row.StartedAt);
        foreach (var stored in await ThrottleState.WarmUpSendsAsync(db, time.GetUtcNow(), ct)) throttle.RestoreWarmUpSends(stored);
    }
}
