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

    /// <summary>
    /// Messages per minute the ISP took over the latest window, counting only intervals that started at
    /// <paramref name="since"/> or later, the interval under way (from <paramref name="intervalStart"/>,
    /// <paramref name="takenInInterval"/> so far) included; null while that covers less than <paramref name="minimum"/> or
    /// fewer than <paramref name="minimumTaken"/> messages (on a 20/min lane a few seconds hold one or two).
    /// Over a stretch that long the ISP's burst adds little: a sender refused now cannot have had much more than the
    /// limit accepted over it (nothing more at all when the stretch began with a refusal, which emptied the burst).
    /// </summary>
    public double? Recent(DateTimeOffset since, DateTimeOffset intervalStart, DateTimeOffset now, long takenInInterval, TimeSpan minimum, long minimumTaken)
    {
        var from = intervalStart;
        var taken = Math.Max(0, takenInInterval);
        foreach (var (start, _, intervalTaken) in _intervals.Reverse())
        {
            if (start < since) break;
            from = start;
            taken += intervalTaken;
        }
        var covered = now - from;
        if (covered < minimum || covered <= TimeSpan.Zero || taken < minimumTaken) return null;
        return taken / covered.TotalMinutes;
    }

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
