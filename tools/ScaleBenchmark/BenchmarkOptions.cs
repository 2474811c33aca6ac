using System.Globalization;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// What to seed and how to run it; every number has the scale the issue asks for as its default. Workers and latencies
/// are lists ("1,4"): one measured run per pair, each on its own cohort of due services in the same seeded fleet.
/// </summary>
public sealed record BenchmarkOptions(
    string Scenario, int Services, int Customers, int Due, IReadOnlyList<int> Workers, IReadOnlyList<int> LatenciesMs, string ConnectionString,
    int Messages, int Requests)
{
    public IReadOnlyList<(int Workers, int LatencyMs)> Runs => [.. Workers.SelectMany(w => LatenciesMs.Select(l => (w, l)))];

    public static BenchmarkOptions Parse(string[] args)
    {
        var values = new Dictionary<string, int[]> { ["services"] = [20_000], ["customers"] = [10_000], ["due"] = [1_000], ["workers"] = [1], ["latency-ms"] = [0], ["messages"] = [10], ["requests"] = [1_000] };
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            var name = args[i].TrimStart('-');
            var numbers = args[i + 1].Split(',').Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).ToArray();
            if (!values.ContainsKey(name) || numbers.Any(n => n < 0) || (name is not ("workers" or "latency-ms") && numbers.Length > 1))
            {
                throw new ArgumentException($"unknown option or value: {args[i]} {args[i + 1]}");
            }
            values[name] = numbers;
        }
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__promta")
            ?? throw new ArgumentException("set ConnectionStrings__promta (tools/scripts/scale-benchmark.sh does)");
        return new(args.Length > 0 ? args[0] : "", values["services"][0], values["customers"][0], values["due"][0], values["workers"], values["latency-ms"], connection,
            values["messages"][0], values["requests"][0]);
    }
}
