using ProMTA.MailPolicy.Providers;
using ProMTA.MailPolicy.Shaping;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

/// <summary>How a lane looks for a limit above the one it knows without deferring a large share of its mail.</summary>
public sealed class ProbingTests
{
    private static readonly ProviderLimits Gmail = ThrottlingData.Default.Providers.Get("gmail");
    private static readonly ProviderLimits Small = ThrottlingData.Default.Providers.Get("default");
    private static readonly ShapingPolicy Policy = new();

    [Fact]
    public void A_lane_asked_once_a_second_still_sends_its_whole_rate()
    {
        using var controller = Create();
        // 115/min, at the recovery target of a rate throttled at 121/min: it neither recovers nor probes within 20 s.
        controller.RestoreLane(new LaneState(Ip, "icloud", 115, 3, 115 / Policy.RecoveryTarget, null), T0);

        long sent = 0;
        for (var second = 0; second < 20; second++)
        {
            var now = T0 + TimeSpan.FromSeconds(second);
            while (controller.TryAcquire(Ip, "icloud", Tenant, now).Allowed) sent++;
        }

        // 115/min is 38 in 20 s; a bucket capped at one second's worth sent one per call (20).
        Assert.InRange(sent, 37, 40);
    }

    [Fact]
    public void Probing_above_the_known_limit_waits_for_enough_messages_since_the_last_decrease()
    {
        // A small lane: 30/min, throttled there, so it climbs back to 28.5/min sending one message every 2 s.
        var shaper = new RateShaper(Small, Policy, T0);
        shaper.OnThrottled(T0);
        var target = 30 * Policy.RecoveryTarget;

        // Back at the recovery target within a minute, but 30 messages are fewer than a probe costs: no probe.
        var now = Drive(shaper, T0, TimeSpan.FromSeconds(60), perSecond: 0.5);
        Assert.Equal(target, shaper.RatePerMinute, 6);
        // Nor 10 messages short of it.
        now = Drive(shaper, now, TimeSpan.FromSeconds((Policy.MessagesPerProbe - 30 - 10) * 2), perSecond: 0.5);
        Assert.Equal(target, shaper.RatePerMinute, 6);

        // MessagesPerProbe messages since the decrease: probing starts.
        Drive(shaper, now, TimeSpan.FromSeconds(30), perSecond: 0.5);
        Assert.True(shaper.RatePerMinute > target);
    }

    [Fact]
    public void A_refused_probe_falls_back_just_below_the_rate_known_clean_instead_of_a_multiplicative_cut()
    {
        var shaper = new RateShaper(Gmail, Policy, T0);
        shaper.OnThrottled(T0);
        var clean = 300 * Policy.RecoveryTarget;
        // At 5 messages a second the MessagesPerProbe messages are there after 40 s: two probing steps by 50 s.
        var now = Drive(shaper, T0, TimeSpan.FromSeconds(Policy.MessagesPerProbe / 5 + 10), perSecond: 5);
        Assert.True(shaper.RatePerMinute > clean, "probing started");
        var probed = shaper.RatePerMinute;

        Assert.True(shaper.OnThrottled(now));

        // The rate known clean: where probing started, or a step at least two before the refused one.
        var knownClean = shaper.RatePerMinute / Policy.FallbackShare;
        Assert.InRange(knownClean, clean, probed - 1);
        Assert.True(shaper.RatePerMinute > probed * Policy.DecreaseFactor, $"fell back to {shaper.RatePerMinute} from {probed}");
        Assert.Equal(probed, shaper.LastThrottledRate);
        // After the hold it returns to the clean rate, not towards the refused one.
        Drive(shaper, now, TimeSpan.FromSeconds(15), perSecond: 6);
        Assert.Equal(knownClean, shaper.RatePerMinute, 6);
    }

    [Fact]
    public void A_refusal_at_or_below_the_rate_known_clean_is_a_multiplicative_cut_as_when_the_limit_drops()
    {
        var shaper = new RateShaper(Gmail, Policy, T0);
        shaper.OnThrottled(T0);
        var now = Drive(shaper, T0, TimeSpan.FromSeconds(30), perSecond: 1);
        var rate = shaper.RatePerMinute;

        shaper.OnThrottled(now);

        Assert.Equal(rate * Policy.DecreaseFactor, shaper.RatePerMinute, 6);
    }

    private static DateTimeOffset Drive(RateShaper shaper, DateTimeOffset from, TimeSpan duration, double perSecond)
    {
        var now = from;
        var due = 0.0;
        for (var second = 1; second <= duration.TotalSeconds; second++)
        {
            now = from + TimeSpan.FromSeconds(second);
            for (due += perSecond; due >= 1; due--) shaper.OnSent();
            shaper.Tick(now);
        }
        return now;
    }
}
