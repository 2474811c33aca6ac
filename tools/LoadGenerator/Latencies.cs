using System.Collections.Concurrent;
using System.Diagnostics;

namespace ProMTA.LoadGenerator;

/// <summary>Wall-clock durations of one kind of request, thread-safe.</summary>
public sealed class Latencies(string name)
{
    private readonly ConcurrentBag<double> milliseconds = [];

    public string Name => name;

    public int Count => milliseconds.Count;

    public async Task<T> TimeAsync<T>(Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await call();
        milliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    public void Add(TimeSpan duration) => milliseconds.Add(duration.TotalMilliseconds);

    /// <summary>Nearest-rank percentile in ms.</summary>
    public double Percentile(double p)
    {
        var sorted = milliseconds.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public override string ToString() => $"{Name,-38} n={Count,5}  p50 {Percentile(50),7:0.0} ms  p99 {Percentile(99),7:0.0} ms";
}
