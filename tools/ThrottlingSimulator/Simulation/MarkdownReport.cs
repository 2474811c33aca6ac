using System.Globalization;
using System.Text;

namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>The results as the markdown table the README shows.</summary>
public static class MarkdownReport
{
    public static string Table(IReadOnlyList<SimulationResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| Strategy | Delivered | Attempts | Deferred | Clean lanes at 90% of hidden limit (within 5 min) | Time to 90%: median / max | Recovery after limit halves: median / max | Recovery after limit returns: median / max | Delivered / hidden capacity (clean lanes) | ISP blocks for sending rate | ISP blocks for bounces | Wall time |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {r.Strategy} | {r.Delivered:N0} | {r.Attempts:N0} | {r.DeferredShare:P1} | {r.LanesReaching90}/{r.CleanLanes} ({r.LanesReaching90Within(TimeSpan.FromMinutes(5))}) ");
            text.Append(CultureInfo.InvariantCulture,
                $"| {Spread(r.TimesToReach90)} | {Spread(r.RecoveriesAfterDrop)} | {Spread(r.RecoveriesAfterRise)} | {r.CleanUtilisation:P1} ");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.BlocksForSendingRate} | {r.BlocksForBounces} | {r.WallTime.TotalSeconds:0.0} s |");
        }
        return text.ToString();
    }

    /// <summary>The complaint proof: per tenant x provider, what the list drew and when the controller and the ISP reacted.</summary>
    public static string ComplaintTable(SimulationResult result)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{result.Strategy}:");
        text.AppendLine();
        text.AppendLine("| Tenant (complaint share) | Provider | Delivered / hidden capacity | Complaints at the ISP / reported to us | First report | Slowed down | Paused | Pause after first report | ISP block for complaints |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in result.Complaints)
        {
            var react = c.PausedAt is { } paused && c.FirstReportedAt is { } first ? Format(paused - first) : "-";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Tenant} ({c.ComplaintShare:0.##%}) | {c.Provider} | {c.Delivered / Math.Max(1, c.Capacity):P1} | {c.ComplaintsAtIsp:N0} / {c.ComplaintsReported:N0} | {At(c.FirstReportedAt)} | {At(c.SlowedAt)} | {At(c.PausedAt)} | {react} | {At(c.IspBlockedAt)} |");
        }
        return text.ToString();

        static string At(TimeSpan? t) => t is { } v ? Format(v) : "-";
    }

    /// <summary>Median and maximum; "never" when some lane never got there.</summary>
    public static string Spread(IReadOnlyList<TimeSpan?> times)
    {
        if (times.Count == 0) return "-";
        var reached = times.Where(t => t is not null).Select(t => t!.Value).Order().ToList();
        var never = times.Count - reached.Count;
        if (reached.Count == 0) return $"never ({never}/{times.Count})";
        var median = Format(reached[reached.Count / 2]);
        var max = never > 0 ? $"never ({never}/{times.Count})" : Format(reached[^1]);
        return $"{median} / {max}";
    }

    private static string Format(TimeSpan t) =>
        t < TimeSpan.FromMinutes(1) ? $"{t.TotalSeconds:0} s" : string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.#} min");
}
