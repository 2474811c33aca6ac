using Microsoft.Extensions.DependencyInjection;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using ProMTA.Throttling;
using ProMTA.Throttling.Shaping;
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
}
