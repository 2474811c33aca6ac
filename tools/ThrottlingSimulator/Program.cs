using System.Diagnostics;
using System.Globalization;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Shaping;
using ProMTA.ThrottlingSimulator.Simulation;

// Deterministic: a seeded scenario on a virtual clock; only the wall time differs between runs.
// --decrease=0.5 --hold=20 --interval=10 --probe-messages=60 ... try other shaping policies (managed mode only);
// see docs/throttling.md for --lanes, --managed-only, --trace and --complaints.
var scenario = SimulationScenario.Default();
var policy = new ShapingPolicy();
foreach (var arg in args)
{
    if (Option("--decrease=") is { } d) policy = policy with { DecreaseFactor = d };
    if (Option("--hold=") is { } h) policy = policy with { Hold = TimeSpan.FromSeconds(h) };
    if (Option("--interval=") is { } i) policy = policy with { IncreaseInterval = TimeSpan.FromSeconds(i) };
    if (Option("--recovery=") is { } r) policy = policy with { RecoveryShare = r };
    if (Option("--probe=") is { } p) policy = policy with { FirstProbeShare = p };
    if (Option("--probe-messages=") is { } pm) policy = policy with { MessagesPerProbe = (long)pm };
    if (Option("--reaction=") is { } re) policy = policy with { ReactionWindow = TimeSpan.FromSeconds(re) };
    if (Option("--confirm=") is { } cf) policy = policy with { MessagesToConfirmProbe = (long)cf };
    if (Option("--fallback=") is { } fb) policy = policy with { FallbackShare = fb };
    if (Option("--max-probe=") is { } mp) policy = policy with { MaxProbeShare = mp };
    if (Option("--probe-budget=") is { } pb) policy = policy with { ProbeBudget = pb };
    if (Option("--probe-credit-cap=") is { } pc) policy = policy with { ProbeCreditCap = pc };
    if (Option("--recovery-probe=") is { } rp) policy = policy with { RecoveryProbeInterval = TimeSpan.FromSeconds(rp) };
    if (Option("--recovery-probe-messages=") is { } rm) policy = policy with { MessagesPerRecoveryProbe = (long)rm };
    if (Option("--high-water=") is { } hw) policy = policy with { HighWaterWindow = TimeSpan.FromSeconds(hw) };
    if (Option("--limit-estimate=") is { } le) policy = policy with { LimitEstimateMinimum = le < 0 ? TimeSpan.MaxValue : TimeSpan.FromSeconds(le) };

    double? Option(string name) =>
        arg.StartsWith(name, StringComparison.Ordinal) ? double.Parse(arg[name.Length..], CultureInfo.InvariantCulture) : null;
}
// --tick=0.25: the lanes ask the controller four times a second instead of once (Delivery's worker is not tied to
// whole seconds); the observer's windows stay ten seconds and a minute.
// --seed=7: another draw of the IPs' limits and the lists' bounces (the documented figures are seed 42).
if (args.FirstOrDefault(a => a.StartsWith("--seed=", StringComparison.Ordinal)) is { } seedArg)
    scenario = scenario with { Seed = int.Parse(seedArg["--seed=".Length..], CultureInfo.InvariantCulture) };
if (args.FirstOrDefault(a => a.StartsWith("--tick=", StringComparison.Ordinal)) is { } tickArg)
    scenario = scenario with { Tick = TimeSpan.FromSeconds(double.Parse(tickArg["--tick=".Length..], CultureInfo.InvariantCulture)) };
var options = new ThrottlingOptions { Shaping = policy };
// --trace=198.51.100.11/icloud prints that lane's managed run per 10 s: the ISP's limit, the allowed rate, attempts, accepted, deferred.
if (args.FirstOrDefault(a => a.StartsWith("--trace=", StringComparison.Ordinal)) is { } traced)
{
    var lane = traced["--trace=".Length..].Split('/');
    if (lane.Length != 2)
    {
        Console.Error.WriteLine("--trace wants a source IP and a provider, e.g. --trace=198.51.100.11/icloud");
        return 2;
    }
    int attempts = 0, accepted = 0, deferred = 0, traceEvery = args.Contains("--trace-ticks") ? 1 : 10;
    SimulationRunner.Run(scenario, Strategy.Managed, options, (ip, provider, tick, limit, rate, a, ok, d) =>
    {
        if (ip != lane[0] || provider != lane[1]) return;
        attempts += a; accepted += ok; deferred += d;
        if ((tick + 1) % traceEvery != 0) return;
        // Per line: the end of the window in seconds and its counts per minute, whatever the tick (--tick).
        var seconds = traceEvery * scenario.Tick.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(tick + 1) * scenario.Tick.TotalSeconds,6:0.##} s limit {limit,7:0.0}/min allowed {rate,7:0.0}/min attempts {attempts * 60 / seconds,5:0}/min accepted {accepted * 60 / seconds,5:0}/min deferred {deferred}"));
        attempts = accepted = deferred = 0;
    });
    return 0;
}
// --complaints runs the complaint proof instead: a clean and a 0.5%-complaint tenant at the same providers.
if (args.Contains("--complaints"))
{
    var proof = SimulationScenario.Complaints();
    var runs = await Task.WhenAll(new[] { Strategy.Managed, Strategy.Static }
        .Select(strategy => Task.Run(() => SimulationRunner.Run(proof, strategy, options))));
    Console.WriteLine($"Simulated {proof.Duration.TotalHours:0} h, {proof.SourceIps} tenants on their own IPs x {proof.Isps.Count} providers, seed {proof.Seed}, feedback loop delay {FakeIspLane.FeedbackDelay.TotalSeconds:0} s.");
    Console.WriteLine();
    foreach (var run in runs)
    {
        Console.Write(MarkdownReport.ComplaintTable(run));
        Console.WriteLine();
    }
    return 0;
}
var stopwatch = Stopwatch.StartNew();
// --managed-only skips the two baselines when trying policies (they do not depend on them).
var strategies = args.Contains("--managed-only") ? [Strategy.Managed] : Enum.GetValues<Strategy>();
var results = await Task.WhenAll(strategies
    .Select(strategy => Task.Run(() => SimulationRunner.Run(scenario, strategy, options))));

Console.WriteLine($"Simulated {scenario.Duration.TotalHours:0} h, {scenario.SourceIps} IPs x {scenario.Isps.Count} providers, seed {scenario.Seed}, tick {scenario.Tick.TotalSeconds:0.##} s.");
Console.WriteLine();
Console.Write(MarkdownReport.Table(results));
Console.WriteLine();
if (args.Contains("--lanes"))
{
    foreach (var result in results)
    {
        Console.WriteLine($"## {result.Strategy}");
        foreach (var lane in result.Lanes)
        {
            var recoveries = string.Join(", ", lane.Recoveries.Select(r => $"{(r.Drop ? "drop" : "rise")} {r.RecoveredAfter?.TotalSeconds.ToString("0") ?? "never"}s"));
            Console.WriteLine($"{lane.Ip} {lane.Provider,-8} clean={lane.Clean} delivered/capacity={lane.Delivered / lane.Capacity:P0} deferred={(double)lane.Deferred / Math.Max(1, lane.Attempts):P1} reached={lane.ReachedAt?.TotalSeconds.ToString("0") ?? "never"}s {recoveries} hidden={lane.Capacity / scenario.Duration.TotalMinutes:0.0}/min");
        }
    }
}

Console.WriteLine($"Total wall time {stopwatch.Elapsed.TotalSeconds:0.0} s on {Environment.ProcessorCount} cores (the three strategies run in parallel).");
return 0;
