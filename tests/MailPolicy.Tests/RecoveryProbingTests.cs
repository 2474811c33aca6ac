using ProMTA.MailPolicy.Providers;
using ProMTA.MailPolicy.Shaping;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

/// <summary>
/// How a lane whose limit was lowered finds it again when it comes back (jumps back to what the ISP took before, paid
/// from a probe credit), and what that may cost while it does not.
/// </summary>
public sealed class RecoveryProbingTests
{
    private static readonly ShapingPolicy Policy = new();
    private static readonly ProviderLimits Gmail = ThrottlingData.Default.Providers.Get("gmail");
    private static readonly TimeSpan Lowered = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(600, 0)]
    [InlineData(600, 13)]
    [InlineData(600, 26)]
    [InlineData(150, 0)]
    [InlineData(150, 7)]
    [InlineData(150, 13)]
    [InlineData(150, 19)]
    [InlineData(150, 26)]
    [InlineData(150, 33)]
    public void A_lowered_limit_that_comes_back_whole_is_found_within_a_minute_whenever_it_comes_back(double limit, int seconds)
    {
        // After an hour at its limit (which saves probe credit), halved for half an hour; the rise lands at a
        // different point of the lane's probing each time.
        var lowered = TimeSpan.FromHours(1);
        var rise = lowered + TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(seconds);
        using var controller = Create();
        var lane = new LaneAgainstIsp(controller, t => t >= lowered && t < rise ? limit / 2 : limit);

        lane.RunUntil(rise + TimeSpan.FromMinutes(3));

        // Before, a probe waited for 120 messages since the last decrease (96 s at 75/min), then climbed in small
        // doubling steps: 66-92 s at 150/min (with MessagesPerProbe = 120 and no jumps, 5 of these 6 cases fail).
        var found = lane.ReachedAfter(rise);
        Assert.True(found <= TimeSpan.FromSeconds(60), $"90% of the restored limit after {found?.TotalSeconds.ToString() ?? "never"} s");
    }

    [Fact]
    public void While_the_limit_stays_lowered_the_jumps_cost_at_most_the_saved_credit_and_the_probe_budget()
    {
        // Lowered for good: every jump back is refused.
        using var controller = Create();
        var lane = new LaneAgainstIsp(controller, t => t >= Lowered ? 300 : 600);
        lane.RunUntil(Lowered);
        var refusedBefore = lane.Deferred;
        var acceptedBefore = lane.Accepted;

        lane.RunUntil(Lowered + TimeSpan.FromHours(6));

        // The limit's own drop costs a few refusals; everything after it is probing, bounded by what the lane could
        // save (the cap) plus what it earns. Jumping every 30 s for six hours would have cost 720.
        var probing = lane.Deferred - refusedBefore;
        var budget = Policy.ProbeCreditCap + Policy.ProbeBudget * (lane.Accepted - acceptedBefore + probing) + 5;
        Assert.True(probing <= budget, $"{probing} refusals in six hours, budget {budget:0}");
        // And the lane keeps using the lowered limit meanwhile.
        Assert.True(lane.Accepted - acceptedBefore >= 0.9 * 300 * 360, $"{lane.Accepted - acceptedBefore} delivered");
    }

    [Fact]
    public void A_refusal_after_the_jump_and_its_clean_steps_falls_back_just_below_the_restored_limit_not_to_the_lowered_one()
    {
        var rise = Lowered + TimeSpan.FromMinutes(20);
        using var controller = Create();
        var lane = new LaneAgainstIsp(controller, t => t >= Lowered && t < rise ? 300 : 600);
        lane.RunUntil(rise);

        // The jump back and clean steps above it, until the ISP refuses a step...
        var second = rise;
        while (lane.RefusedBetween(rise, second) == 0 && second < rise + TimeSpan.FromMinutes(5))
        {
            second += TimeSpan.FromSeconds(1);
            lane.RunUntil(second);
        }
        var rate = controller.Snapshot(T0 + second).Lanes.Single().RatePerMinute;
        lane.RunUntil(rise + TimeSpan.FromMinutes(2));
        Assert.True(lane.ReachedAfter(rise) <= TimeSpan.FromSeconds(60), "found the restored limit");

        // ... and the lane falls back to just below the rate known clean there: not the 300/min it jumped from,
        // not a x0.7 cut, not above the limit.
        Assert.InRange(rate, 0.85 * 600, 600);
    }

    [Fact]
    public void The_high_water_rate_is_what_the_isp_took_over_a_whole_window_not_what_it_refused()
    {
        var shaper = new RateShaper(Gmail, Policy, T0);
        var now = T0;
        for (var interval = 0; interval < 12; interval++)
        {
            // 60 messages per 5 s interval, 10 of them refused: the ISP took 600/min.
            for (var i = 0; i < 60; i++) shaper.OnSent();
            for (var i = 0; i < 10; i++) shaper.OnThrottled(now);
            Assert.Null(shaper.HighWaterRate);
            now += Policy.IncreaseInterval;
            shaper.Tick(now);
        }

        Assert.Equal(600, shaper.HighWaterRate!.Value, 6);
    }

    [Fact]
    public void Without_probe_credit_a_lane_never_probes_above_the_rate_known_clean()
    {
        using var controller = Create(new ThrottlingOptions { Shaping = Policy with { ProbeBudget = 0 } });
        var lane = new LaneAgainstIsp(controller, _ => 600);

        lane.RunUntil(TimeSpan.FromMinutes(30));

        // Slow start and the climbs back after it find the limit; after that nothing may be refused, as nothing pays
        // for a probe (with credit a probe is refused every 20-30 s at this rate).
        var settled = lane.Refusals.Last();
        Assert.True(settled < 300, $"last refusal at {settled} s");
        Assert.True(lane.Accepted >= 0.85 * 600 * 30, $"{lane.Accepted} delivered");
    }
}
