using System.Collections.Concurrent;

namespace ProMTA.Delivery.Domain;

/// <summary>
/// Slows and then locks out password guessing, per client IP and per username (so neither many IPs against one
/// account nor one IP against many accounts gets far). Kept in memory: a restart or a second replica resets it,
/// which only gives a guesser a few more tries, and the 192-bit generated passwords are not guessable anyway.
/// </summary>
public sealed class AuthThrottle(TimeProvider time, int maxFailures, TimeSpan window, TimeSpan lockout)
{
    private readonly ConcurrentDictionary<string, Failures> failures = new(StringComparer.OrdinalIgnoreCase);

    public AuthThrottle(TimeProvider time) : this(time, 5, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)) { }

    public bool IsLockedOut(params string[] keys)
    {
        var now = time.GetUtcNow();
        return keys.Any(k => failures.TryGetValue(k, out var f) && f.LockedUntil(now, lockout, maxFailures) > now);
    }

    /// <summary>Records a failure and returns how long to wait before answering it: grows with each failure.</summary>
    public TimeSpan RecordFailure(params string[] keys)
    {
        var now = time.GetUtcNow();
        var worst = 0;
        foreach (var key in keys)
        {
            var f = failures.AddOrUpdate(key, _ => new Failures(1, now), (_, old) => now - old.Last > window ? new Failures(1, now) : old with { Count = old.Count + 1, Last = now });
            worst = Math.Max(worst, f.Count);
        }
        if (failures.Count > 100_000) Prune(now);
        return TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, worst - 1), 4000));
    }

    public void RecordSuccess(string key) => failures.TryRemove(key, out _);

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, f) in failures)
        {
            if (now - f.Last > window + lockout) failures.TryRemove(key, out _);
        }
    }

    private sealed record Failures(int Count, DateTimeOffset Last)
    {
        public DateTimeOffset LockedUntil(DateTimeOffset now, TimeSpan lockout, int max) => Count >= max ? Last + lockout : DateTimeOffset.MinValue;
    }
}
