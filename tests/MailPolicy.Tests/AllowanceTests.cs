using ProMTA.MailPolicy.Providers;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

/// <summary>What a queue may claim for a lane: as many as the lane may send within the horizon, and no more.</summary>
public sealed class AllowanceTests
{
    private static readonly ProviderLimits Gmail = ThrottlingData.Default.Providers.Get("gmail");

    [Fact]
    public void A_lane_may_take_the_token_it_holds_plus_those_that_come_within_the_horizon()
    {
        using var controller = Create();

        var allowance = controller.Allowance(Ip, "gmail", T0, TimeSpan.FromSeconds(10));

        Assert.Equal((int)Math.Floor(1 + Gmail.StartRatePerMinute / 6), allowance);
    }

    [Fact]
    public void Asking_takes_no_permit()
    {
        using var controller = Create();

        controller.Allowance(Ip, "gmail", T0, TimeSpan.FromSeconds(10));
        controller.Allowance(Ip, "gmail", T0, TimeSpan.FromSeconds(10));

        Assert.True(controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed);
    }

    [Fact]
    public void What_was_sent_is_no_longer_allowed()
    {
        using var controller = Create();
        var before = controller.Allowance(Ip, "gmail", T0, TimeSpan.Zero);

        while (controller.TryAcquire(Ip, "gmail", Tenant, T0).Allowed) { }

        Assert.True(before >= 1);
        Assert.Equal(0, controller.Allowance(Ip, "gmail", T0, TimeSpan.Zero));
    }

    [Fact]
    public void A_suspended_lane_may_take_nothing()
    {
        using var controller = Create();
        controller.Record(Ip, "gmail", Tenant, GmailUnsolicited, T0);

        Assert.Equal(0, controller.Allowance(Ip, "gmail", T0 + TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
    }
}
