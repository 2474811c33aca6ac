using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Reputation;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

public sealed class ReputationTests
{
    /// <summary>Sends <paramref name="count"/> messages of which <paramref name="bounces"/> bounce, spread over a minute.</summary>
    private static void Send(ThrottleController controller, int count, int bounces, DateTimeOffset at, string provider = "gmail")
    {
        for (var i = 0; i < count; i++)
        {
            // Bounces spread evenly, as on a real list.
            var reply = (long)i * bounces / count != (long)(i + 1) * bounces / count ? UnknownUser : SmtpReply.Accepted;
            controller.Record(Ip, provider, Tenant, reply, at + TimeSpan.FromSeconds(60.0 * i / count));
        }
    }

    private static TenantSnapshot TenantOf(ThrottleController controller, DateTimeOffset now) =>
        controller.Snapshot(now).Tenants.Single(t => t.Tenant == Tenant && t.Provider == "gmail");

    [Fact]
    public void Few_bounces_make_a_clean_sender()
    {
        using var controller = Create();
        Send(controller, 300, 3, T0);

        Assert.Equal(ReputationVerdict.Clean, TenantOf(controller, T0 + TimeSpan.FromMinutes(1)).Verdict);
    }

    [Fact]
    public void Below_the_minimum_sample_there_is_no_verdict()
    {
        using var controller = Create();
        Send(controller, 100, 50, T0);

        Assert.Equal(ReputationVerdict.Unknown, TenantOf(controller, T0 + TimeSpan.FromMinutes(1)).Verdict);
        Assert.True(controller.TryAcquire(Ip, "gmail", Tenant, T0 + TimeSpan.FromMinutes(1)).Allowed);
    }

    [Fact]
    public void A_bounce_rate_of_five_percent_slows_the_tenant_down()
    {
        using var controller = Create();
        Send(controller, 400, 24, T0);
        var now = T0 + TimeSpan.FromMinutes(2);

        var tenant = TenantOf(controller, now);
        Assert.Equal(ReputationVerdict.SlowedDown, tenant.Verdict);
        Assert.Equal(0.5, tenant.RateFactor);

        // Half of the lane's 300/min over ten seconds, plus what the bucket holds at the start (one message and one
        // second of the rate).
        long sent = 0;
        for (var t = now; t < now + TimeSpan.FromSeconds(10); t += TimeSpan.FromMilliseconds(100))
            while (controller.TryAcquire(Ip, "gmail", Tenant, t).Allowed) sent++;
        Assert.InRange(sent, 24, 28);
    }

    [Fact]
    public void A_bounce_rate_of_ten_percent_suspends_the_tenant_at_that_provider_for_hours()
    {
        using var controller = Create();

        Send(controller, 400, 44, T0);
        var now = T0 + TimeSpan.FromMinutes(2);

        var refused = controller.TryAcquire(Ip, "gmail", Tenant, now);
        Assert.Equal(ThrottleReason.TenantSuspended, refused.Reason);
        Assert.True(refused.NextSendTime >= now + TimeSpan.FromHours(3));
        Assert.True(controller.TryAcquire(Ip, "outlook", Tenant, now).Allowed);
        Assert.True(controller.TryAcquire(Ip, "gmail", Tenant, now + TimeSpan.FromHours(5)).Allowed);
    }

    [Fact]
    public void Complaints_above_the_threshold_suspend()
    {
        using var controller = Create();
        Send(controller, 1000, 0, T0);
        for (var i = 0; i < 4; i++) controller.RecordComplaint(Tenant, "gmail", T0 + TimeSpan.FromSeconds(30));

        Assert.Equal(ThrottleReason.TenantSuspended, controller.TryAcquire(Ip, "gmail", Tenant, T0 + TimeSpan.FromMinutes(2)).Reason);
    }

    [Fact]
    public void One_complaint_does_not_slow_a_small_clean_sender_a_second_in_the_same_hour_pauses_it()
    {
        using var controller = Create(new ThrottlingOptions { Reputation = new ReputationPolicy { MinimumComplaints = 2 } });
        // 250 messages: one complaint is 0.4 %, over the 0.3 % suspension rate, yet one report is chance (a 0.01 % list).
        Send(controller, 250, 0, T0);
        controller.RecordComplaint(Tenant, "gmail", T0 + TimeSpan.FromSeconds(70));
        var afterOne = T0 + TimeSpan.FromMinutes(2);

        Assert.Equal(ReputationVerdict.Fair, TenantOf(controller, afterOne).Verdict);
        Assert.True(controller.TryAcquire(Ip, "gmail", Tenant, afterOne).Allowed);

        controller.RecordComplaint(Tenant, "gmail", T0 + TimeSpan.FromMinutes(3));
        Assert.Equal(ThrottleReason.TenantSuspended, controller.TryAcquire(Ip, "gmail", Tenant, T0 + TimeSpan.FromMinutes(4)).Reason);
    }

    [Theory]
    [InlineData(true, ReputationVerdict.Suspended)]
    [InlineData(false, ReputationVerdict.SlowedDown)]
    public void A_complaint_rate_is_taken_over_the_mail_old_enough_for_its_complaints_to_have_come_back(bool deliveryTimeKnown, ReputationVerdict verdict)
    {
        using var controller = Create(new ThrottlingOptions { Reputation = new ReputationPolicy { MinimumComplaints = 2 } });
        // 600 a minute for 3 minutes; the reports about the first minute's mail arrive 2 minutes late (4 of ~550: 0.7 %).
        for (var minute = 0; minute < 3; minute++) Send(controller, 600, 0, T0 + TimeSpan.FromMinutes(minute));
        var now = T0 + TimeSpan.FromMinutes(3);
        for (var i = 0; i < 4; i++)
        {
            controller.RecordComplaint(Tenant, "gmail", now, deliveryTimeKnown ? T0 + TimeSpan.FromSeconds(10 + 15 * i) : null);
        }

        // Counted against all 1,800 messages, the same reports read 0.22 %: the ISP, which counts at once, sees 0.7 %.
        Assert.Equal(verdict, TenantOf(controller, now).Verdict);
    }

    [Fact]
    public void Old_outcomes_age_out_of_the_window()
    {
        var window = new OutcomeWindow(TimeSpan.FromHours(1), 60);
        window.Add(OutcomeKind.Bounced, T0, 50);
        window.Add(OutcomeKind.Accepted, T0 + TimeSpan.FromMinutes(30), 50);

        Assert.Equal(0.5, window.Totals(T0 + TimeSpan.FromMinutes(59)).BounceRate);
        Assert.Equal(0, window.Totals(T0 + TimeSpan.FromMinutes(61)).BounceRate);
    }

    [Fact]
    public void Clean_senders_grow_faster_than_unknown_ones()
    {
        using var clean = Create();
        using var fresh = Create();
        var policy = new ReputationPolicy();
        // A clean history at gmail for the first controller's tenant.
        Send(clean, 1000, 0, T0 - TimeSpan.FromMinutes(5));

        SendClean(clean, T0, TimeSpan.FromSeconds(31));
        SendClean(fresh, T0, TimeSpan.FromSeconds(31));

        Assert.True(policy.CleanGrowthBoost > 1);
        Assert.True(RateOf(clean) > RateOf(fresh));
    }
}
