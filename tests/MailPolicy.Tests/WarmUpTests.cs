using ProMTA.MailPolicy.Shaping;
using ProMTA.MailPolicy.WarmUp;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

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
    public void An_ip_idle_for_thirty_days_warms_up_again()
    {
        using var controller = Create();
        SendClean(controller, T0, TimeSpan.FromSeconds(10), "comcast");

        var back = T0 + TimeSpan.FromDays(31);
        var sent = SendClean(controller, back, TimeSpan.FromMinutes(30), "comcast");

        Assert.Equal(100, sent);
        Assert.Equal(1, controller.Snapshot(back).Lanes.Single().WarmUpDay);
    }

    [Fact]
    public void The_daily_count_of_two_replicas_adds_up_and_caps_them_together()
    {
        using var first = Create();
        using var second = Create();
        first.BeginWarmUp(Ip, T0);
        second.BeginWarmUp(Ip, T0);
        var store = new Dictionary<(string, string, DateTimeOffset), long>();

        var one = SendClean(first, T0, TimeSpan.FromSeconds(20), "comcast");
        var two = SendClean(second, T0, TimeSpan.FromSeconds(10), "comcast");
        Sync(first, store);
        Sync(second, store);
        Sync(first, store);

        // The comcast cap of day one is 100: the two replicas together may send what is left of it.
        Assert.InRange(one + two, 1, 99);
        var later = T0 + TimeSpan.FromMinutes(10);
        Assert.All([first, second], c => Assert.Equal(one + two, c.Snapshot(later).Lanes.Single().SentToday));
        Assert.Equal(100 - one - two, SendClean(first, later, TimeSpan.FromMinutes(30), "comcast"));
        Sync(first, store);
        Sync(second, store);
        Assert.Equal(ThrottleReason.WarmUpCap, second.TryAcquire(Ip, "comcast", Tenant, later + TimeSpan.FromMinutes(31)).Reason);
    }

    [Fact]
    public void A_restarted_process_remembers_what_was_sent_today_but_not_yesterday()
    {
        var store = new Dictionary<(string, string, DateTimeOffset), long>();
        long dayTwo;
        using (var before = Create())
        {
            before.BeginWarmUp(Ip, T0);
            Assert.Equal(100, SendClean(before, T0, TimeSpan.FromMinutes(30), "comcast"));
            dayTwo = SendClean(before, T0 + TimeSpan.FromDays(1), TimeSpan.FromSeconds(1), "comcast");
            Sync(before, store);
        }

        using var after = Create();
        after.BeginWarmUp(Ip, T0);
        // Newest first: yesterday's total must not replace today's.
        foreach (var ((ip, provider, day), sent) in store.OrderByDescending(s => s.Key.Item3)) after.RestoreWarmUpSends(new WarmUpSends(ip, provider, day, sent));

        var now = T0 + TimeSpan.FromDays(1) + TimeSpan.FromHours(1);
        Assert.InRange(dayTwo, 1, 139);
        Assert.Equal(140 - dayTwo, SendClean(after, now, TimeSpan.FromMinutes(30), "comcast"));
    }

    [Fact]
    public void Sends_that_could_not_be_stored_are_stored_next_time()
    {
        using var controller = Create();
        controller.BeginWarmUp(Ip, T0);
        var sent = SendClean(controller, T0, TimeSpan.FromSeconds(30), "comcast");

        var failed = controller.TakeUnsavedWarmUpSends();
        controller.ReturnUnsavedWarmUpSends(failed);

        Assert.Equal(sent, Assert.Single(controller.TakeUnsavedWarmUpSends()).Sent);
        Assert.Empty(controller.TakeUnsavedWarmUpSends());
    }

    [Fact]
    public void Sends_of_a_day_that_ended_before_they_were_stored_are_stored_for_that_day()
    {
        using var controller = Create();
        controller.BeginWarmUp(Ip, T0);
        var dayOne = SendClean(controller, T0 + TimeSpan.FromHours(23), TimeSpan.FromMinutes(30), "comcast");
        var dayTwo = SendClean(controller, T0 + TimeSpan.FromDays(1), TimeSpan.FromSeconds(30), "comcast");

        var unsaved = controller.TakeUnsavedWarmUpSends();

        Assert.Equal(dayOne, Assert.Single(unsaved, s => s.DayStartsAt == T0).Sent);
        Assert.Equal(dayTwo, Assert.Single(unsaved, s => s.DayStartsAt == T0 + TimeSpan.FromDays(1)).Sent);
    }

    /// <summary>What Delivery's state sync does against its table: add this process's new sends, read the totals back.</summary>
    private static void Sync(ThrottleController controller, Dictionary<(string, string, DateTimeOffset), long> store)
    {
        foreach (var send in controller.TakeUnsavedWarmUpSends())
        {
            store[(send.SourceIp, send.Provider, send.DayStartsAt)] = store.GetValueOrDefault((send.SourceIp, send.Provider, send.DayStartsAt)) + send.Sent;
        }
        foreach (var ((ip, provider, day), sent) in store) controller.RestoreWarmUpSends(new WarmUpSends(ip, provider, day, sent));
    }
}
