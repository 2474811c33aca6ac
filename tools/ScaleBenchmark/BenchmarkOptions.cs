using System.Globalization;

namespace ProMTA.ScaleBenchmark;

/// <summary>What to seed and how to run it; every number has the scale the issue asks for as its default.</summary>
public sealed record BenchmarkOptions(string Scenario, int Services, int Customers, int Due, int Workers, int LatencyMs, string ConnectionString)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var values = new Dictionary<string, int> { ["services"] = 20_000, ["customers"] = 10_000, ["due"] = 1_000, ["workers"] = 1, ["latency-ms"] = 0 };
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            var name = args[i].TrimStart('-');
            if (!values.ContainsKey(name) || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new ArgumentException($"unknown option or value: {args[i]} {args[i + 1]}");
            }
            values[name] = value;
        }
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__promta")
            ?? throw new ArgumentException("set ConnectionStrings__promta (tools/scripts/scale-benchmark.sh does)");
        return new(args.Length > 0 ? args[0] : "", values["services"], values["customers"], values["due"], values["workers"], values["latency-ms"], connection);
    }
}
