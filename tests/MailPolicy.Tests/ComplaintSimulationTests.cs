using ProMTA.ThrottlingSimulator.Simulation;
using Xunit;

namespace ProMTA.MailPolicy.Tests;

/// <summary>
/// Issue 16's complaint proof on the virtual clock: feedback-loop reports (RecordComplaint) slow down and pause the
/// tenant whose list draws 0.5% complaints at each provider before the fake ISP blocks its IP, while the clean
/// tenant at the same providers is never slowed.
/// </summary>
public sealed class ComplaintSimulationTests
{
    private static readonly SimulationScenario Scenario = SimulationScenario.Complaints() with { Duration = TimeSpan.FromMinutes(30) };

    [Fact]
    public void A_tenant_drawing_half_a_percent_complaints_is_paused_before_the_isp_blocks_while_a_clean_one_keeps_its_pace()
    {
        var result = SimulationRunner.Run(Scenario, Strategy.Managed);

        var dirty = result.Complaints.Where(c => c.ComplaintShare >= 0.005).ToList();
        var clean = result.Complaints.Where(c => c.ComplaintShare < 0.001).ToList();
        Assert.Equal(Scenario.Isps.Count, dirty.Count);
        Assert.All(dirty, c =>
        {
            Assert.True(c.ComplaintsReported > 0, $"{c.Provider}: no complaint reported");
            Assert.NotNull(c.SlowedAt);
            Assert.NotNull(c.PausedAt);
            Assert.Null(c.IspBlockedAt);
        });
        Assert.All(clean, c =>
        {
            Assert.Null(c.SlowedAt);
            Assert.Null(c.IspBlockedAt);
            Assert.True(c.Delivered >= 0.75 * c.Capacity, $"{c.Provider}: clean tenant delivered {c.Delivered / c.Capacity:P0} of the hidden capacity");
        });
    }

    [Fact]
    public void Without_the_controller_the_isp_blocks_the_tenant_that_draws_complaints()
    {
        var result = SimulationRunner.Run(Scenario, Strategy.Static);

        Assert.Contains(result.Complaints, c => c.ComplaintShare >= 0.005 && c.IspBlockedAt is not null);
    }
}
