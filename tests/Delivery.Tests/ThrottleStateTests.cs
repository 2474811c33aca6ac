using Microsoft.Extensions.DependencyInjection;
using ProMTA.Delivery.Data;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Shaping;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>The throttling controller's state lives in Delivery's schema: learned lanes survive a restart, warm-ups start at activation, switches are audited.</summary>
public sealed class ThrottleStateTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly Func<Guid, IReadOnlyDictionary<string, string>> FastSync = _ => new Dictionary<string, string>
    {
        ["Delivery:ThrottleStateInterval"] = "00:00:00.500",
    };

    [Fact]
    public async Task A_lane_slowed_by_gmail_is_still_slowed_after_the_service_restarts()
    {
        string schema;
        LaneSnapshot learned;
        double credit;
        await using (var first = await RelayHost.StartAsync(postgres, new FakeProviderOptions
        {
            Name = "Gmail", Domain = "gmail.test", RateLimitPerMinute = 2,
            ThrottleReply = "421 4.7.28 Our system has detected an unusual rate of mail originating from your IP address.",
        }, settings: FastSync))
        {
            schema = first.Schema;
            using var client = await first.ConnectAsync();
            await client.AuthenticateAsync(first.Username, RelayHost.Password);
            for (var i = 0; i < 6; i++) await client.SendAsync(RelayHost.Message($"reader{i}@gmail.test"));
            var throttle = first.Services.GetRequiredService<ThrottleController>();
            await RelayHost.EventuallyAsync(() => Task.FromResult(throttle.Snapshot().Lanes.Any(l => l.Provider == "gmail" && l.Mode == ShapingMode.Backoff)));
            learned = throttle.Snapshot().Lanes.Single(l => l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail");
            Assert.True(learned.RatePerMinute < throttle.Providers.Get("gmail").StartRatePerMinute);
            credit = throttle.ExportLanes().Single(l => l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail").ProbeCredit;
            Assert.True(credit > 0);
        }

        // Stopped (the lanes were saved on stop) and started again on the same schema: a new controller, same knowledge.
        await using var second = await RelayHost.StartAsync(postgres, settings: FastSync, schema: schema);
        var restored = second.Services.GetRequiredService<ThrottleController>();
        await RelayHost.EventuallyAsync(() => Task.FromResult(restored.Snapshot().Lanes.Any(l => l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail")));
        var lane = restored.Snapshot().Lanes.Single(l => l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail");
        Assert.Equal(learned.RatePerMinute, lane.RatePerMinute, 6);
        Assert.Equal(ShapingMode.Backoff, lane.Mode);
        // The probe credit came back with the lane (a retry sent after the reading above may have added 0.01 per message).
        Assert.InRange(restored.ExportLanes().Single(l => l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail").ProbeCredit, credit, credit + 0.06);
    }

    [Fact]
    public async Task A_dedicated_ip_activated_as_new_sends_in_warm_up_mode()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: FastSync);
        // What ReverseDnsPropagatedConsumer writes with the relay account when the service goes live.
        await using (var work = await relay.Database.BeginAsync())
        {
            await ThrottleState.AddWarmUpsAsync(work, relay.ServiceId, [RelayHost.SourceIp], DateTimeOffset.UtcNow);
            await work.CommitAsync();
        }
        var throttle = relay.Services.GetRequiredService<ThrottleController>();
        // What every replica's worker does every Delivery:ThrottleStateInterval: the new IP's warm-up is picked up.
        await relay.Services.GetRequiredService<Outbound.ThrottleStateSync>().SyncAsync(default);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        await client.SendAsync(RelayHost.Message("first@gmail.test"));

        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.Received.Count == 1));
        var lane = throttle.Snapshot().Lanes.Single(l => l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail");
        Assert.Equal(ShapingMode.WarmingUp, lane.Mode);
        Assert.Equal(1, lane.WarmUpDay);
        Assert.Equal(1, lane.SentToday);
    }

    [Fact]
    public async Task What_a_warming_ip_sent_today_survives_a_restart_and_replicas_add_up()
    {
        const string ip = "203.0.113.9";
        await using var relay = await RelayHost.StartAsync(postgres);
        var start = DateTimeOffset.UtcNow;
        await using (var work = await relay.Database.BeginAsync())
        {
            await ThrottleState.AddWarmUpsAsync(work, relay.ServiceId, [ip], start);
            await work.CommitAsync();
        }
        // Two replicas: each its own controller, the same tables.
        using var one = new ThrottleController();
        using var two = new ThrottleController();
        var syncOne = new Outbound.ThrottleStateSync(relay.Database, one, TimeProvider.System);
        var syncTwo = new Outbound.ThrottleStateSync(relay.Database, two, TimeProvider.System);
        await syncOne.RestoreAsync(default);
        await syncTwo.RestoreAsync(default);

        Assert.Equal(30, Send(one, start, 30));
        Assert.Equal(20, Send(two, start, 20));
        await syncOne.SyncAsync(default);
        await syncTwo.SyncAsync(default);
        await syncOne.SyncAsync(default);

        Assert.Equal(50, SentToday(one));
        Assert.Equal(50, SentToday(two));

        // A restart: a new controller learns today's total from the table.
        using var restarted = new ThrottleController();
        await new Outbound.ThrottleStateSync(relay.Database, restarted, TimeProvider.System).RestoreAsync(default);
        Assert.Equal(1, Send(restarted, start + TimeSpan.FromMinutes(1), 1));
        Assert.Equal(51, SentToday(restarted));

        static long SentToday(ThrottleController controller) =>
            controller.Snapshot().Lanes.Single(l => l.SourceIp == ip && l.Provider == "gmail").SentToday;

        // One message a second: well within gmail's starting rate, so every one is allowed (and counted).
        static int Send(ThrottleController controller, DateTimeOffset from, int count) =>
            Enumerable.Range(0, count).Count(i => controller.TryAcquire(ip, "gmail", "tenant", from + TimeSpan.FromSeconds(i)).Allowed);
    }

    [Fact]
    public async Task Relay_mode_switches_are_audited_with_who_from_and_to()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var at = DateTimeOffset.UtcNow;
        await RelayAccounts.SetRelayModeAsync(relay.Database, relay.ServiceId, "unmanaged", "customer:c1", at, default);
        await RelayAccounts.SetRelayModeAsync(relay.Database, relay.ServiceId, "unmanaged", "customer:c1", at.AddSeconds(1), default);
        await RelayAccounts.SetRelayModeAsync(relay.Database, relay.ServiceId, "managed", "customer:c1", at.AddSeconds(2), default);

        var (items, total) = await RelayModeChanges.ListAsync(relay.Database, relay.ServiceId, 1, 50, default);
        Assert.Equal(2, total); // setting the mode it already had is not a switch
        Assert.Equal([("unmanaged", "managed"), ("managed", "unmanaged")], items.Select(c => (c.FromMode, c.ToMode)));
        Assert.All(items, c => Assert.Equal("customer:c1", c.ChangedBy));
        Assert.Equal("managed", await relay.QuerySingleAsync<string>("SELECT relay_mode FROM relay_accounts WHERE service_id = @ServiceId", new { relay.ServiceId }));
        Assert.Empty((await RelayModeChanges.ListAsync(relay.Database, Guid.NewGuid(), 1, 50, default)).Items);
    }
}
