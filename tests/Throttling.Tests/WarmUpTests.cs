using ProMTA.Throttling.Shaping;
using Xunit;
using static ProMTA.Throttling.Tests.ControllerFixture;

namespace ProMTA.Throttling.Tests;

public sealed class WarmUpTests
{
    [Fact]
    public void The_schedule_grows_about_forty_percent_a_day_until_warm()
    {
        var schedule = ThrottlingData.Default.WarmUp;

        Assert.Equal(500, schedule.DailyCap("gmail", 1));
        Assert.Equal(700, schedule.DailyCap("gmail", 2));
        Assert.Equal(980, schedule.DailyCap("gmail", 3));
        Assert.Null(schedule.DailyCap("gmail", 60));
        Assert.Equal(200, schedule.DailyCap("some-regional-isp", 1));
    }

    [Fact]
    public void A_warming_ip_stops_at_its_daily_cap_and_the_overflow_waits_for_the_next_day()
    {
        using var controller = Create();
        controller.BeginWarmUp(Ip, T0);

        var sent = SendClean(controller, T0, TimeSpan.FromMinutes(30), "comcast");

        Assert.Equal(100, sent);
        var refused = controller.TryAcquire(Ip, "comcast", Tenant, T0 + TimeSpan.FromHours(2));
        Assert.Equal(ThrottleReason.WarmUpCap, refused.Reason);
        Assert.Equal(T0 + TimeSpan.FromDays(1), refused.NextSendTime);
        Assert.Equal(ShapingMode.WarmingUp, controller.Snapshot(T0 + TimeSpan.FromHours(2)).Lanes.Single().Mode);

        var dayTwo = SendClean(controller, T0 + TimeSpan.FromDays(1), TimeSpan.FromMinutes(30), "comcast");
        Assert.Equal(140, dayTwo);
    }

    [Fact]
    public void The_overflow_may_go_from_a_warm_ip_of_the_same_service()
    {
        using var controller = Create();
        const string warmIp = "198.51.100.20";
        controller.TryAcquire(warmIp, "comcast", Tenant, T0);
        controller.BeginWarmUp(Ip, T0);
        SendClean(controller, T0, TimeSpan.FromMinutes(30), "comcast");

        var refused = controller.TryAcquire(Ip, "comcast", Tenant, T0 + TimeSpan.FromHours(1));

        Assert.Equal(ThrottleReason.WarmUpCap, refused.Reason);
        Assert.Equal(warmIp, refused.AlternateSourceIp);
    }

    [Fact]
    public void An_ip_idle_for_thirty_days_warms_up_again()
    {
        using var controller = Create();
        SendClean(controller, T0, TimeSpan.FromSeconds(10), "comcast");

        var back = T0 + TimeSpan.FromDays(31);
        var sent = SendClean(controller, back, TimeSpan.FromMinutes(30), "comcast");

        Assert.Equal(100, sent);
        Assert.Equal(1, controller.Snapshot(back).Lanes.Single().WarmUpDay);
    }
}
