using System.Diagnostics;
using ProMTA.ThrottlingSimulator.Simulation;

// Deterministic: a seeded scenario on a virtual clock; only the wall time differs between runs.
var scenario = SimulationScenario.Default();
var stopwatch = Stopwatch.StartNew();
var results = await Task.WhenAll(Enum.GetValues<Strategy>()
    .Select(strategy => Task.Run(() => SimulationRunner.Run(scenario, strategy))));

Console.WriteLine($"Simulated {scenario.Duration.TotalHours:0} h, {scenario.SourceIps} IPs x {scenario.Isps.Count} providers, seed {scenario.Seed}, tick {scenario.Tick.TotalSeconds:0} s.");
Console.WriteLine();
Console.Write(MarkdownReport.Table(results));
Console.WriteLine();
Console.WriteLine($"Total wall time {stopwatch.Elapsed.TotalSeconds:0.0} s on {Environment.ProcessorCount} cores (the three strategies run in parallel).");
