namespace ProMTA.Delivery.Domain;

/// <summary>
/// When a deferred recipient is tried again: exponential from <paramref name="initial"/>, capped, with +-25% jitter so
/// recipients deferred together (an ISP's 421 burst) do not all come back in the same second.
/// </summary>
public static class Backoff
{
    public static TimeSpan Next(int attempts, TimeSpan initial, TimeSpan max, double random)
    {
        var exponent = Math.Min(Math.Max(attempts - 1, 0), 20);
        var delay = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (0.75 + random * 0.5));
    }
}
