using ProMTA.ThrottlingSimulator.Simulation;
using Xunit;

namespace ProMTA.MailPolicy.Tests;

/// <summary>What a customer would see on a short deterministic run (virtual clock, seeded).</summary>
public sealed class SimulationTests
{
    private static readonly SimulationScenario Scenario = new()
    {
        SourceIps = 2,
        Duration = TimeSpan.FromMinutes(120),
        Isps = SimulationScenario.StandardIsps(),
    };

    [Fact]
    public void Managed_sending_finds_each_hidden_limit_quickly_with_few_deferrals_and_no_block()
    {
        var result = SimulationRunner.Run(Scenario, Strategy.Managed);

        Assert.Equal(result.CleanLanes, result.LanesReaching90Within(TimeSpan.FromMinutes(5)));
        Assert.True(result.DeferredShare <= 0.05, $"deferred {result.DeferredShare:P1}");
        Assert.Equal(0, result.BlocksForSendingRate);
        Assert.All(result.RecoveriesAfterDrop, r => Assert.NotNull(r));
        Assert.All(result.RecoveriesAfterRise, r => Assert.True(r <= TimeSpan.FromMinutes(5), $"recovered after {r}"));
    }

    [Fact]
    public void Every_clean_lane_defers_at_most_one_percent_however_small_its_limit()
    {
        // The documented 6-hour run's first two IPs (over two hours the start-up's deferrals still weigh ~1.1%).
        var sixHours = SimulationScenario.Default() with { SourceIps = 2 };
        var result = SimulationRunner.Run(sixHours, Strategy.Managed);

        // Includes the 20/min and 60/min lanes, where a probe paced by time alone deferred 4-11%.
        Assert.All(result.Lanes.Where(l => l.Clean), l =>
            Assert.True(l.Deferred <= 0.01 * l.Attempts, $"{l.Ip} {l.Provider}: {l.Deferred} of {l.Attempts} deferred"));
        Assert.True(result.CleanUtilisation >= 0.95, $"{result.CleanUtilisation:P1} of the hidden capacity");
    }

    [Fact]
    public void Every_limit_change_of_the_six_hour_run_is_recovered_from_within_a_minute()
    {
        // The documented run's first two IPs: Gmail, Outlook and Yahoo halve for an hour, iCloud drops to 60%.
        var sixHours = SimulationScenario.Default() with { SourceIps = 2 };
        var result = SimulationRunner.Run(sixHours, Strategy.Managed);

        // Before, rises on the 90-180/min lanes took 61-93 s (a probe every 120 messages, then small steps).
        Assert.Equal(8, result.RecoveriesAfterRise.Count);
        Assert.All(result.RecoveriesAfterDrop.Concat(result.RecoveriesAfterRise), r =>
            Assert.True(r <= TimeSpan.FromSeconds(60), $"recovered after {r?.TotalSeconds.ToString() ?? "never"} s"));
    }

    [Fact]
    public void Unmanaged_sending_gets_blocked_and_delivers_less()
    {
        var managed = SimulationRunner.Run(Scenario, Strategy.Managed);
        var unmanaged = SimulationRunner.Run(Scenario, Strategy.Unmanaged);

        Assert.True(unmanaged.BlocksForSendingRate > 0);
        Assert.True(managed.Delivered > unmanaged.Delivered);
    }

    [Fact]
    public void The_simulation_is_deterministic()
    {
        var first = SimulationRunner.Run(Scenario, Strategy.Managed);
        var second = SimulationRunner.Run(Scenario, Strategy.Managed);

        Assert.Equal(first.Delivered, second.Delivered);
        Assert.Equal(first.Deferred, second.Deferred);
    }
}
