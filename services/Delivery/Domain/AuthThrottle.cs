using System.Collections.Concurrent;
using ProMTA.Timing;

namespace ProMTA.Delivery.Domain;

/// <summary>
/// Slows and then locks out password guessing, per (client IP, username) and per client IP. Never per username alone:
/// then a stranger could lock the owner out by failing against their username, and the owner's correct password from
/// their own IP must keep working. One IP trying many accounts is stopped by its own, higher, per-IP limit. Kept in
/// memory: a restart or a second replica resets it, which only gives a guesser a few more tries, and the 192-bit
/// generated passwords are not guessable anyway.
/// </summary>
public sealed class AuthThrottle(TimeProvider time, int maxFailures, int maxClientFailures, TimeSpan window, TimeSpan lockout)
{
    // 250 ms after the first failure, doubling to 4 s: a typo costs nothing noticeable, a guesser's rate drops fast.
    private static readonly Backoff SlowDown = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4));
    private readonly ConcurrentDictionary<string, Failures> failures = new(StringComparer.OrdinalIgnoreCase);

    public AuthThrottle(TimeProvider time) : this(time, 5, 20, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)) { }

    public bool IsLockedOut(string clientIp, string username)
    {
        var now = time.GetUtcNow();
        return Locked(PairKey(clientIp, username), maxFailures, now) || Locked(ClientKey(clientIp), maxClientFailures, now);
    }

    /// <summary>Records a failure and returns how long to wait before answering it: grows with each failure.</summary>
    public TimeSpan RecordFailure(string clientIp, string username)
    {
        var now = time.GetUtcNow();
        var pair = Record(PairKey(clientIp, username), now);
        // The per-IP count is scaled to the pair's scale, so the slow-down grows as fast for a spray as for one account.
        var client = Record(ClientKey(clientIp), now) * maxFailures / Math.Max(maxClientFailures, 1);
        if (failures.Count > 100_000) Prune(now);
        var worst = Math.Max(pair, client);
        return SlowDown.After(Math.Max(worst, 1));
    }

    /// <summary>A correct password clears that account's failures from that IP (not the IP's count of other accounts).</summary>
    public void RecordSuccess(string clientIp, string username) => failures.TryRemove(PairKey(clientIp, username), out _);

    private static string PairKey(string clientIp, string username) => $"ip-user:{clientIp}|{username}";

    private static string ClientKey(string clientIp) => $"ip:{clientIp}";

    private bool Locked(string key, int max, DateTimeOffset now) => failures.TryGetValue(key, out var f) && f.Count >= max && f.Last + lockout > now;

    private int Record(string key, DateTimeOffset now) =>
        failures.AddOrUpdate(key, _ => new Failures(1, now), (_, old) => now - old.Last > window ? new Failures(1, now) : old with { Count = old.Count + 1, Last = now }).Count;

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, f) in failures)
        {
            if (now - f.Last > window + lockout) failures.TryRemove(key, out _);
        }
    }

    private sealed record Failures(int Count, DateTimeOffset Last);
}
