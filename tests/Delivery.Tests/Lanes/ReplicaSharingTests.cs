using Dapper;
using Microsoft.Extensions.DependencyInjection;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.Delivery.Tests.Lanes;

/// <summary>
/// Two Delivery replicas (two hosts on one schema, one queue, the same source IP) against one fake Gmail MX: they pace
/// the lane as one sender, so the ISP's hidden limit and the IP's warm-up cap hold for both together.
/// </summary>
public sealed class ReplicaSharingTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const string GmailThrottle = "421 4.7.28 Our system has detected an unusual rate of mail originating from your IP address.";

    [Fact]
    public async Task Two_replicas_stay_within_the_isps_hidden_limit_together()
    {
        const int messages = 150;
        await using var mx = StartMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", RateLimitPerMinute = 450, ThrottleReply = GmailThrottle }, out var port);
        await using var one = await RelayHost.StartAsync(postgres, settings: _ => Settings(port));
        await using var two = await RelayHost.StartAsync(postgres, settings: _ => Settings(port), schema: one.Schema);
        // The lane as a long-running sender knows it (the ISP last pushed back at 310 a minute, it sends 300): one sender
        // at that pace stays under the hidden 450, two would not. The owner starts from this saved state.
        await one.QueryAsync<int>("""
            INSERT INTO throttle_lanes (source_ip, provider, rate_per_minute, connections, last_throttled_rate, probe_credit, saved_at)
            VALUES (@Ip, 'gmail', 300, 4, 310, 0, now())
            """, new { Ip = RelayHost.SourceIp });

        await SubmitAsync(one, messages, "limit");
        await RelayHost.EventuallyAsync(async () => await DeliveredAsync(one) == messages, TimeSpan.FromSeconds(120));

        var counters = mx.Counters();
        var deferrals = await one.QuerySingleAsync<long>("SELECT count(*) FROM delivery_events WHERE event = 'deferred'");
        output.WriteLine($"accepted {counters.Accepted}, throttled {counters.Throttled}, deferred events {deferrals}");
        Assert.True(deferrals <= messages / 100, $"{deferrals} deferrals for {messages} messages");
        Assert.True(counters.Throttled <= messages / 100, $"the fake Gmail throttled {counters.Throttled} times");
        // One owner paced the lane; the other replica held no lease for it.
        var owners = await one.QueryAsync<string>("SELECT owner FROM lane_leases WHERE lane = @Ip AND provider = 'gmail'", new { Ip = RelayHost.SourceIp });
        Assert.Contains(Single(owners), new[] { ReplicaOf(one), ReplicaOf(two) });
    }

    [Fact]
    public async Task A_warming_ips_daily_cap_holds_exactly_across_two_replicas_and_an_owner_that_stops()
    {
        const int cap = 30;
        var warmUp = Path.Combine(Path.GetTempPath(), $"warmup-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(warmUp, $$"""
            { "growthPerDay": 1.4, "rewarmAfterIdleDays": 30,
              "providers": [ { "name": "gmail", "firstDayCap": {{cap}}, "warmDailyVolume": 1000000 }, { "name": "default", "firstDayCap": 200, "warmDailyVolume": 100000 } ] }
            """);
        try
        {
            await using var mx = StartMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" }, out var port);
            var settings = new Dictionary<string, string>(Settings(port)) { ["Delivery:Throttling:Tables:WarmUp"] = warmUp };
            var one = await RelayHost.StartAsync(postgres, settings: _ => settings);
            var two = await RelayHost.StartAsync(postgres, settings: _ => settings, schema: one.Schema);
            RelayHost? stopped = null;
            try
            {
                // The service's IP went live just now: day 1 of its warm-up, for both replicas.
                await using (var work = await one.Database.BeginAsync())
                {
                    await ThrottleState.AddWarmUpsAsync(work, one.ServiceId, [RelayHost.SourceIp], DateTimeOffset.UtcNow);
                    await work.CommitAsync();
                }
                await one.Services.GetRequiredService<ThrottleStateSync>().SyncAsync(default);
                await two.Services.GetRequiredService<ThrottleStateSync>().SyncAsync(default);

                await SubmitAsync(one, 2 * cap, "warm");
                // The lane's owner stops (gracefully) part-way: the other replica goes on from the shared count.
                await RelayHost.EventuallyAsync(() => Task.FromResult(mx.Received.Count >= cap / 3), TimeSpan.FromSeconds(60));
                var owner = await OwnerAsync(one);
                var (stopping, going) = owner == ReplicaOf(one) ? (one, two) : (two, one);
                stopped = stopping;
                var stoppedAt = DateTimeOffset.UtcNow;
                await stopping.DisposeAsync();

                // Once the day's cap is spent, mail for the lane is handed back until the next warm-up day (not sent, not
                // deferred). A stop cuts the batches it was sending: a message that had its send of the cap and was cut
                // stays claimed by the stopped replica (back when its claim lease ends) and its send stays spent.
                const string cutSql = "SELECT count(*) FROM recipients WHERE status = 'Queued' AND claimed_until IS NOT NULL AND last_attempt_at < @StoppedAt";
                await RelayHost.EventuallyAsync(async () => await going.QuerySingleAsync<long>(
                    "SELECT count(*) FROM recipients WHERE status = 'Queued' AND next_attempt_at > now() + interval '1 hour'") > 0
                    && await DeliveredAsync(going) + await going.QuerySingleAsync<long>(cutSql, new { StoppedAt = stoppedAt }) >= cap, TimeSpan.FromSeconds(60));
                Assert.Equal(ReplicaOf(going), await OwnerAsync(going));
                // Never over the cap at the ISP (a cut message may have arrived before its result was written).
                Assert.InRange(mx.Received.Count, await DeliveredAsync(going), cap);
                Assert.Equal(cap, await going.QuerySingleAsync<long>("SELECT reserved FROM ip_warmup_sends WHERE source_ip = @Ip AND provider = 'gmail'", new { Ip = RelayHost.SourceIp }));
                Assert.Equal(0, await going.QuerySingleAsync<long>("SELECT count(*) FROM delivery_events WHERE event = 'deferred'"));
            }
            finally
            {
                foreach (var replica in new[] { one, two }.Where(r => r != stopped)) await replica.DisposeAsync();
            }
        }
        finally
        {
            File.Delete(warmUp);
        }
    }

    private static FakeMx StartMx(FakeProviderOptions gmail, out int port)
    {
        port = FreePort.Next();
        var mx = new FakeMx(gmail, port);
        mx.Start();
        return mx;
    }

    /// <summary>Both replicas send gmail.test to the one fake MX (each host's own MX stays idle).</summary>
    private static Dictionary<string, string> Settings(int mxPort) => new()
    {
        ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{mxPort}",
        ["Delivery:RetryInitial"] = "00:00:05",
        ["Delivery:Lanes:LeaseTtl"] = "00:00:04",
        ["Delivery:Lanes:RenewInterval"] = "00:00:01",
    };

    private static async Task SubmitAsync(RelayHost relay, int count, string subject)
    {
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        for (var i = 0; i < count; i++) await client.SendAsync(RelayHost.Message($"reader{i}@gmail.test", $"{subject}-{i:D3}"));
        await client.DisconnectAsync(true);
    }

    private static Task<long> DeliveredAsync(RelayHost relay) =>
        relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Delivered'");

    private static Task<string> OwnerAsync(RelayHost relay) =>
        relay.QuerySingleAsync<string>("SELECT owner FROM lane_leases WHERE lane = @Ip AND provider = 'gmail'", new { Ip = RelayHost.SourceIp });

    private static string ReplicaOf(RelayHost relay) => relay.Services.GetRequiredService<LaneOwnership>().ReplicaId;

    private static string Single(IReadOnlyList<string> owners) => Assert.Single(owners);
}
