using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

/// <summary>A permit whose message never reached the ISP (its session did not open) goes back to its lane.</summary>
public sealed class PermitReturnTests
{
    [Fact]
    public void A_permit_given_back_lets_the_next_message_go_at_once_and_only_one()
    {
        using var controller = Create();
        while (controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed) { }
        Assert.False(controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed);

        controller.ReturnPermit(Ip, "gmail", Tenant, T0, T0);

        Assert.True(controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed);
        Assert.False(controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed);
    }

    [Fact]
    public void A_permit_given_back_never_fills_the_lane_above_its_burst()
    {
        using var returned = Create();
        using var spent = Create();
        foreach (var controller in new[] { returned, spent })
            while (controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed) { }
        var later = T0 + TimeSpan.FromMinutes(5);

        // Five minutes later the bucket is full again: the permit taken at T0 adds nothing to it.
        returned.ReturnPermit(Ip, "gmail", Tenant, T0, later);

        Assert.Equal(Burst(spent), Burst(returned));

        int Burst(ThrottleController controller)
        {
            var n = 0;
            while (controller.TryAcquire(Ip, "gmail", Tenant, later).Allowed) n++;
            return n;
        }
    }

    [Fact]
    public void A_push_back_recorded_after_the_permit_went_back_still_empties_the_lane()
    {
        using var controller = Create();
        Assert.True(controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed);

        // The MX refused the session with a rate-limit greeting: the permit goes back first, then the reply is recorded.
        controller.ReturnPermit(Ip, "gmail", Tenant, T0, T0);
        controller.Record(Ip, "gmail", Tenant, GmailRateLimited, T0);

        Assert.False(controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed);
    }

    [Fact]
    public void A_warming_ips_send_given_back_is_not_counted_against_its_daily_cap_even_after_it_was_stored()
    {
        using var controller = Create();
        controller.BeginWarmUp(Ip, T0);
        // The comcast cap of day one is 100.
        Assert.Equal(100, SendClean(controller, T0, TimeSpan.FromMinutes(30), "comcast"));
        Assert.Equal(100, Assert.Single(controller.TakeUnsavedWarmUpSends()).Sent);
        var later = T0 + TimeSpan.FromHours(1);
        Assert.Equal(ThrottleReason.WarmUpCap, controller.TryAcquire(Ip, "comcast", Tenant, later).Reason);

        // The last permit's session never opened.
        controller.ReturnPermit(Ip, "comcast", Tenant, T0 + TimeSpan.FromMinutes(29), later);

        Assert.Equal(99, controller.Snapshot(later).Lanes.Single().SentToday);
        // The stored total counted it: the next save corrects it.
        Assert.Equal(-1, Assert.Single(controller.TakeUnsavedWarmUpSends()).Sent);
        Assert.True(controller.TryAcquire(Ip, "comcast", Tenant, later).Allowed);
        Assert.Equal(ThrottleReason.WarmUpCap, controller.TryAcquire(Ip, "comcast", Tenant, later + TimeSpan.FromMinutes(1)).Reason);
    }

    [Fact]
    public void An_unmanaged_relays_permit_goes_back_to_its_safety_cap()
    {
        using var controller = Create();
        controller.SetRelayMode(Tenant, Shaping.RelayMode.Unmanaged);
        while (controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed) { }

        controller.ReturnPermit(Ip, "gmail", Tenant, T0, T0);

        Assert.True(controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed);
        Assert.Equal(ThrottleReason.SafetyCap, controller.TryAcquire(Ip, "gmail", Tenant, T0).Reason);
    }
}
