using ProMTA.MailPolicy.Providers;
using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Shaping;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

public sealed class ShapingTests
{
    private static readonly ProviderLimits Gmail = ThrottlingData.Default.Providers.Get("gmail");
    private static readonly ShapingPolicy Policy = new();

    [Fact]
    public void A_new_lane_starts_at_the_provider_starting_limit()
    {
        using var controller = Create();
        controller.TryAcquire(Ip, "gmail", Tenant, T0);

        var lane = controller.Snapshot(T0).Lanes.Single();
        Assert.Equal(Gmail.StartRatePerMinute, lane.RatePerMinute);
        Assert.Equal(Gmail.StartConnections, lane.AllowedConnections);
        Assert.Equal(Gmail.MessagesPerConnection, lane.MessagesPerConnection);
        Assert.Equal(ShapingMode.Normal, lane.Mode);
    }

    [Fact]
    public void Sends_are_spaced_at_the_allowed_rate()
    {
        using var controller = Create();

        // 300/min is 5/s; the rate may not grow within the first increase interval.
        var sent = SendClean(controller, T0, TimeSpan.FromSeconds(4));

        Assert.InRange(sent, 19, 21);
        var end = T0 + TimeSpan.FromSeconds(4);
        while (controller.TryAcquire(Ip, "gmail", Tenant, end).Allowed) { }
        var refused = controller.TryAcquire(Ip, "gmail", Tenant, end);
        Assert.False(refused.Allowed);
        Assert.Equal(ThrottleReason.RateLimit, refused.Reason);
        Assert.True(refused.NextSendTime > end);
    }

    [Fact]
    public void A_rate_limit_reply_cuts_the_rate_and_connections_multiplicatively_once_per_reaction_window()
    {
        using var controller = Create();
        controller.TryAcquire(Ip, "gmail", Tenant, T0);

        controller.Record(Ip, "gmail", Tenant, GmailRateLimited, T0);
        controller.Record(Ip, "gmail", Tenant, GmailRateLimited, T0 + TimeSpan.FromSeconds(1));

        var lane = controller.Snapshot(T0).Lanes.Single();
        Assert.Equal(Gmail.StartRatePerMinute * Policy.DecreaseFactor, lane.RatePerMinute, 6);
        Assert.Equal((int)(Gmail.StartConnections * Policy.DecreaseFactor), lane.AllowedConnections);
        Assert.Equal(ShapingMode.Backoff, lane.Mode);
    }

    [Fact]
    public void Decreases_stop_at_the_floor()
    {
        using var controller = Create();
        for (var i = 0; i < 20; i++)
            controller.Record(Ip, "gmail", Tenant, GmailRateLimited, T0 + TimeSpan.FromMinutes(i));

        Assert.Equal(Gmail.FloorRatePerMinute, RateOf(controller));
        Assert.Equal(1, controller.Snapshot(T0).Lanes.Single().AllowedConnections);
    }

    [Fact]
    public void Clean_replies_grow_the_rate_but_never_above_the_ceiling()
    {
        using var controller = Create();

        SendClean(controller, T0, TimeSpan.FromMinutes(30));

        Assert.Equal(Gmail.CeilingRatePerMinute, RateOf(controller));
        Assert.Equal(Gmail.MaxConnections, controller.Snapshot(T0).Lanes.Single().AllowedConnections);
    }

    [Fact]
    public void After_a_decrease_the_rate_holds_then_climbs_back_gradually_without_a_snap_back()
    {
        var shaper = new RateShaper(Gmail, Policy, T0);
        var cut = 300 * Policy.DecreaseFactor;
        shaper.OnThrottled(T0);
        var rates = new List<double>();
        for (var second = 1; second <= 120; second++)
        {
            var now = T0 + TimeSpan.FromSeconds(second);
            for (var i = 0; i < shaper.RatePerMinute / 60; i++) shaper.OnSent();
            shaper.Tick(now);
            rates.Add(shaper.RatePerMinute);
        }

        // Held for the hold period.
        Assert.All(rates.Take((int)Policy.Hold.TotalSeconds - 1), r => Assert.Equal(cut, r, 6));
        // Every step closes at most half of the gap to the throttled rate: no snap back.
        for (var i = 1; i < rates.Count; i++)
        {
            Assert.True(rates[i] >= rates[i - 1]);
            Assert.True(rates[i] - rates[i - 1] <= (300 - rates[i - 1]) / 2 + 1e-9 || rates[i - 1] >= 300 * 0.95);
        }
        // And it gets back near the old rate within two minutes.
        Assert.True(rates[^1] >= 300 * 0.95);
    }

    [Fact]
    public void An_idle_lane_does_not_grow()
    {
        using var controller = Create();
        controller.TryAcquire(Ip, "gmail", Tenant, T0);

        controller.TryAcquire(Ip, "gmail", Tenant, T0 + TimeSpan.FromHours(1));

        Assert.Equal(Gmail.StartRatePerMinute, RateOf(controller));
    }

    [Fact]
    public void Recipient_errors_have_no_shaping_effect()
    {
        using var controller = Create();
        controller.TryAcquire(Ip, "gmail", Tenant, T0);

        controller.Record(Ip, "gmail", Tenant, UnknownUser, T0);
        controller.Record(Ip, "gmail", Tenant, MailboxFull, T0);

        var lane = controller.Snapshot(T0).Lanes.Single();
        Assert.Equal(Gmail.StartRatePerMinute, lane.RatePerMinute);
        Assert.Equal(ShapingMode.Normal, lane.Mode);
    }

    [Fact]
    public void A_reputation_reply_suspends_the_ip_for_that_provider_only_then_resumes_lower()
    {
        using var controller = Create();
        controller.TryAcquire(Ip, "gmail", Tenant, T0);

        controller.Record(Ip, "gmail", Tenant, GmailUnsolicited, T0);

        var refused = controller.TryAcquire(Ip, "gmail", Tenant, T0 + TimeSpan.FromMinutes(30));
        Assert.Equal(ThrottleReason.IpSuspended, refused.Reason);
        Assert.Equal(T0 + TimeSpan.FromHours(1), refused.NextSendTime);
        Assert.True(controller.TryAcquire(Ip, "outlook", Tenant, T0 + TimeSpan.FromMinutes(30)).Allowed);
        Assert.True(controller.TryAcquire("198.51.100.11", "gmail", Tenant, T0 + TimeSpan.FromMinutes(30)).Allowed);

        Assert.True(controller.TryAcquire(Ip, "gmail", Tenant, T0 + TimeSpan.FromHours(1)).Allowed);
        Assert.Equal(Gmail.StartRatePerMinute * Policy.DecreaseFactor, RateOf(controller), 6);
    }

    [Fact]
    public void An_authentication_failure_suspends_the_tenant_at_that_provider_for_its_rules_time()
    {
        using var controller = Create();

        controller.Record(Ip, "gmail", Tenant, Unauthenticated, T0);

        var refused = controller.TryAcquire(Ip, "gmail", Tenant, T0 + TimeSpan.FromMinutes(1));
        Assert.Equal(ThrottleReason.TenantSuspended, refused.Reason);
        Assert.Equal(T0 + TimeSpan.FromHours(6), refused.NextSendTime);
        Assert.True(controller.TryAcquire(Ip, "gmail", "service-2", T0 + TimeSpan.FromMinutes(1)).Allowed);
        Assert.True(controller.TryAcquire(Ip, "outlook", Tenant, T0 + TimeSpan.FromMinutes(1)).Allowed);
    }

    [Fact]
    public void Repeated_connection_failures_back_off_a_dead_destination_exponentially()
    {
        using var controller = Create();
        var failure = SmtpReply.ConnectionFailed("connection timed out");
        for (var i = 0; i < 3; i++) controller.Record(Ip, "default", Tenant, failure, T0);

        var first = controller.TryAcquire(Ip, "default", Tenant, T0);
        Assert.Equal(ThrottleReason.DestinationBackoff, first.Reason);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), first.NextSendTime);

        controller.Record(Ip, "default", Tenant, failure, T0 + TimeSpan.FromMinutes(1));
        Assert.Equal(T0 + TimeSpan.FromMinutes(3), controller.TryAcquire(Ip, "default", Tenant, T0 + TimeSpan.FromMinutes(1)).NextSendTime);

        controller.Record(Ip, "default", Tenant, SmtpReply.Accepted, T0 + TimeSpan.FromMinutes(1));
        Assert.True(controller.TryAcquire(Ip, "default", Tenant, T0 + TimeSpan.FromMinutes(1)).Allowed);
    }

    [Fact]
    public void Provider_limits_can_be_overridden()
    {
        var options = new ThrottlingOptions
        {
            Data = ThrottlingData.Default with
            {
                Providers = new ProviderCatalog(
                    [.. ThrottlingData.Default.Providers.All.Where(p => p.Name != "gmail"), Gmail with { StartRatePerMinute = 60, CeilingRatePerMinute = 120 }],
                    ThrottlingData.Default.Providers.UnmanagedSafetyCaps),
            },
        };
        using var controller = Create(options);

        SendClean(controller, T0, TimeSpan.FromMinutes(10));

        Assert.Equal(120, RateOf(controller));
    }

    [Fact]
    public void Mx_hosts_resolve_to_providers()
    {
        var providers = ThrottlingData.Default.Providers;
        Assert.Equal("gmail", providers.ResolveByMx("gmail-smtp-in.l.google.com."));
        Assert.Equal("outlook", providers.ResolveByMx("example-com.mail.protection.outlook.com"));
        Assert.Equal("yahoo", providers.ResolveByMx("mta5.am0.yahoodns.net"));
        Assert.Equal("default", providers.ResolveByMx("mx.example.org"));
    }
}
