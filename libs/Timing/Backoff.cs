namespace ProMTA.Timing;

/// <summary>
/// The one retry schedule of the platform: waits that double from <paramref name="First"/> up to <paramref name="Max"/>,
/// so early retries answer quickly and a long outage costs little load. Each user keeps its own values in its options
/// (Delivery's deferrals and webhooks, the dead-destination pause, DNS checks, datacenter calls, AUTH slow-down).
/// </summary>
/// <param name="First">The wait after the first attempt.</param>
/// <param name="Max">No wait is longer (before jitter).</param>
/// <param name="Jitter">
/// The share a wait may move either way (0.25: 75% to 125%), so work that failed together, such as recipients deferred by
/// one 421 burst, does not all come back in the same second. 0 gives exact waits.
/// </param>
public sealed record Backoff(TimeSpan First, TimeSpan Max, double Jitter = 0)
{
    // 2^30 times any useful first wait is beyond every cap; the clamp keeps the double far from overflow.
    private const int MaxDoublings = 30;

    /// <summary>The wait after the <paramref name="attempts"/>-th attempt (1 = the first), without jitter.</summary>
    public TimeSpan After(int attempts)
    {
        var doublings = Math.Clamp(attempts - 1, 0, MaxDoublings);
        return TimeSpan.FromTicks((long)Math.Min(First.Ticks * Math.Pow(2, doublings), Max.Ticks));
    }

    /// <summary>
    /// The wait after the <paramref name="attempts"/>-th attempt, moved by <see cref="Jitter"/>: <paramref name="random"/>
    /// in [0, 1) picks the point in the band (0 the shortest, 1 the longest).
    /// </summary>
    public TimeSpan After(int attempts, double random) =>
        TimeSpan.FromTicks((long)Math.Round(After(attempts).Ticks * (1 - Jitter + 2 * Jitter * random)));
}
