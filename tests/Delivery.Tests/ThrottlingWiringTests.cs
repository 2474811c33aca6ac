using Microsoft.Extensions.DependencyInjection;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Shaping;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>Outbound delivery feeds the adaptive throttling controller with the ISP's real answers over real sockets.</summary>
public sealed class ThrottlingWiringTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_gmail_rate_limit_reply_puts_the_dedicated_ip_lane_into_backoff()
    {
        await using var relay = await RelayHost.StartAsync(postgres, new FakeProviderOptions
        {
            Name = "Gmail", Domain = "gmail.test", RateLimitPerMinute = 2,
            ThrottleReply = "421 4.7.28 Our system has detected an unusual rate of mail originating from your IP address.",
        });
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        for (var i = 0; i < 6; i++) await client.SendAsync(RelayHost.Message($"reader{i}@gmail.test"));

        var throttle = relay.Services.GetRequiredService<ThrottleController>();
        await RelayHost.EventuallyAsync(() => Task.FromResult(throttle.Snapshot().Lanes.Any(l =>
            l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail" && l.Mode == ShapingMode.Backoff)));
        var lane = throttle.Snapshot().Lanes.Single(l => l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail");
        Assert.True(lane.DeferralRate > 0);
    }

    [Fact]
    public async Task Mail_beyond_what_the_lane_may_send_now_stays_in_the_queue_untouched_not_claimed_and_handed_back()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var throttle = relay.Services.GetRequiredService<ThrottleController>();
        // A lane that learned gmail takes one message a second from this IP.
        throttle.RestoreLane(new LaneState(RelayHost.SourceIp, "gmail", 60, 1, null, null), DateTimeOffset.UtcNow);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        for (var i = 0; i < 20; i++) await client.SendAsync(RelayHost.Message($"reader{i}@gmail.test"));

        // The claim takes what the lane may send within its horizon; the rest is never claimed (no last attempt), so it
        // costs no row update while it waits, and nothing claimed is handed back as held by our pacing.
        (long Delivered, long Untouched, long Held) counts = default;
        await RelayHost.EventuallyAsync(async () => (counts = await relay.QuerySingleAsync<(long, long, long)>("""
            SELECT count(*) FILTER (WHERE status = 'Delivered'),
                   count(*) FILTER (WHERE status = 'Queued' AND last_attempt_at IS NULL),
                   count(*) FILTER (WHERE last_reply LIKE 'held by adaptive throttling%')
            FROM recipients
            """)).Delivered >= 3);
        Assert.True(counts.Untouched >= 10, $"{counts.Untouched} of 20 never claimed");
        Assert.Equal(0, counts.Held);
    }
}
