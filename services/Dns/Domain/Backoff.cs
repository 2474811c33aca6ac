namespace ProMTA.Dns.Domain;

/// <summary>Waits that double from <paramref name="First"/> up to <paramref name="Max"/>: quick answers early, little load later.</summary>
public sealed record Backoff(TimeSpan First, TimeSpan Max)
{
    /// <summary>The wait after the <paramref name="attempts"/>-th check (1 = the first).</summary>
    public TimeSpan After(int attempts)
    {
        var doublings = Math.Clamp(attempts - 1, 0, 30);
        var wait = First * Math.Pow(2, doublings);
        return wait < Max ? wait : Max;
    }
}
