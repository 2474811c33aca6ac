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
    public async Task Messages_the_controller_holds_back_are_lined_up_at_the_lanes_rate_not_all_due_at_its_next_token()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var throttle = relay.Services.GetRequiredService<ThrottleController>();
        // A lane that learned gmail takes one message a second from this IP.
        throttle.RestoreLane(new LaneState(RelayHost.SourceIp, "gmail", 60, 1, null, null), DateTimeOffset.UtcNow);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        for (var i = 0; i < 20; i++) await client.SendAsync(RelayHost.Message($"reader{i}@gmail.test"));

        // Held, not claimed right now (a claim pushes next_attempt_at to the end of its 10-minute lease).
        const string held = "FROM recipients WHERE status = 'Queued' AND last_reply LIKE 'held by adaptive throttling%' AND next_attempt_at < now() + interval '1 minute'";
        // At one a second, the held messages are lined up over seconds (at twice the rate: half a second apart), not
        // handed back together to be claimed again at the next token (then they are all due within a second).
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<double>(
            $"SELECT coalesce(extract(epoch FROM max(next_attempt_at) - min(next_attempt_at))::float8, 0) {held}") >= 3);
    }
}
