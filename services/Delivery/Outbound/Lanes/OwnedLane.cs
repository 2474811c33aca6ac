using ProMTA.MailPolicy.WarmUp;

namespace ProMTA.Delivery.Outbound.Lanes;

/// <summary>
/// A lane this replica holds the lease of: until when it may pace it (its own clock, a safety margin before the
/// database lets anyone else take it over), and the warm-up sends it reserved and has not used yet.
/// </summary>
internal sealed class OwnedLane(DateTimeOffset validUntil)
{
    private readonly Lock gate = new();
    private readonly SemaphoreSlim reserving = new(1, 1);
    private DateTimeOffset validUntil = validUntil;
    private DateTimeOffset? day;
    private long unused;
    private bool spent;

    public bool Valid(DateTimeOffset now)
    {
        lock (gate) return now < validUntil;
    }

    public void Renewed(DateTimeOffset until)
    {
        lock (gate)
        {
            if (until > validUntil) validUntil = until;
        }
    }

    /// <summary>
    /// Takes one send of <paramref name="today"/>'s cap: from what this replica reserved, else from a new reservation
    /// (<paramref name="reserve"/>: how many the shared counter granted). False once the day's cap is spent.
    /// </summary>
    public async Task<bool> TakeWarmUpSendAsync(WarmUpDay today, Func<Task<long>> reserve, CancellationToken ct)
    {
        if (TryTake(today, out var exhausted)) return true;
        if (exhausted) return false;
        await reserving.WaitAsync(ct);
        try
        {
            if (TryTake(today, out exhausted)) return true;
            if (exhausted) return false;
            var granted = await reserve();
            lock (gate)
            {
                StartDay(today);
                unused += granted;
                // Only the lane's owner reserves: nothing granted now means nobody will send more today.
                spent = granted == 0;
            }
            return TryTake(today, out _);
        }
        finally
        {
            reserving.Release();
        }
    }

    /// <summary>True once <paramref name="today"/>'s cap is spent: nothing reserved is left and the counter grants no more.</summary>
    public bool Spent(WarmUpDay today)
    {
        lock (gate) return day == today.StartsAt && spent && unused == 0;
    }

    /// <summary>A send taken but not made (the lane's pace refused it): it stays reserved for the next one.</summary>
    public void GiveBack(WarmUpDay today)
    {
        lock (gate)
        {
            if (day == today.StartsAt) unused++;
        }
    }

    /// <summary>The reserved sends not used, to return to the shared counter when the lane goes; none are left here.</summary>
    public (DateTimeOffset Day, long Unused)? TakeUnused()
    {
        lock (gate)
        {
            if (day is not { } d || unused == 0) return null;
            var left = (d, unused);
            unused = 0;
            return left;
        }
    }

    private bool TryTake(WarmUpDay today, out bool exhausted)
    {
        lock (gate)
        {
            StartDay(today);
            exhausted = spent && unused == 0;
            if (unused == 0) return false;
            unused--;
            return true;
        }
    }

    // A new warm-up day starts from nothing reserved (the old day's leftovers are of no use).
    private void StartDay(WarmUpDay today)
    {
        if (day == today.StartsAt) return;
        day = today.StartsAt;
        unused = 0;
        spent = false;
    }
}
