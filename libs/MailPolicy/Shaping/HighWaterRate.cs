namespace ProMTA.MailPolicy.Shaping;

/// <summary>
/// The most messages the ISP has taken from a lane over any whole window (a minute by default), as a rate: measured,
/// not the rate the lane was allowed. An allowed rate can sit a few percent above the limit for a while before the
/// ISP's burst runs out and it refuses, so a lane that remembered its best allowed rate would jump back above the
/// limit; over a minute what the ISP took is within its burst of the limit.
/// </summary>
internal sealed class HighWaterRate(TimeSpan window)
{
    private readonly Queue<(DateTimeOffset Start, DateTimeOffset End, long Taken)> _intervals = new();
    private long _taken;

    /// <summary>Messages per minute, or null before a whole window went by.</summary>
    public double? PerMinute { get; private set; }

    /// <summary>An increase interval from <paramref name="start"/> to <paramref name="end"/> in which the ISP took <paramref name="taken"/> messages.</summary>
    public void Add(DateTimeOffset start, DateTimeOffset end, long taken)
    {
        _intervals.Enqueue((start, end, taken));
        _taken += taken;
        // Keep the shortest tail of intervals that still covers the window (the intervals follow each other).
        while (_intervals.Count > 1 && end - _intervals.Peek().End >= window) _taken -= _intervals.Dequeue().Taken;
        var covered = end - _intervals.Peek().Start;
        if (covered < window) return;
        var rate = _taken / covered.TotalMinutes;
        if (rate > (PerMinute ?? 0)) PerMinute = rate;
    }
}
