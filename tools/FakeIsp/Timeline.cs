using System.Collections.Concurrent;

namespace ProMTA.FakeIsp;

/// <summary>What a fake MX answered in one second (Unix time): the shape of a sender's pacing as the ISP saw it.</summary>
public sealed record TimelineSecond(long Second, long Accepted, long Throttled);

/// <summary>Accepted and throttled recipients per second over the last hour, for <c>GET /timeline</c>.</summary>
public sealed class Timeline
{
    private const int KeptSeconds = 3600;
    private readonly ConcurrentDictionary<long, long[]> _seconds = new();

    public void Accepted(int count = 1) => Add(0, count);

    public void Throttled() => Add(1, 1);

    public IReadOnlyList<TimelineSecond> Seconds() =>
        [.. _seconds.OrderBy(s => s.Key).Select(s => new TimelineSecond(s.Key, Interlocked.Read(ref s.Value[0]), Interlocked.Read(ref s.Value[1])))];

    private void Add(int slot, int count)
    {
        var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var counts = _seconds.GetOrAdd(second, static _ => new long[2]);
        Interlocked.Add(ref counts[slot], count);
        if (_seconds.Count > KeptSeconds)
        {
            foreach (var old in _seconds.Keys.Where(k => k <= second - KeptSeconds)) _seconds.TryRemove(old, out _);
        }
    }
}
