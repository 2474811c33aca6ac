using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Replies;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests.Lanes;

/// <summary>
/// Replicas' lane ownerships on one database spread the providers with mail: each takes about its share, a joining
/// replica is handed its share with what the lanes learned, a killed replica's lanes are taken over, and the spread
/// stays put over renewals. The relay host's own worker runs without leases here, so only these ownerships count.
/// </summary>
public sealed class LaneSpreadTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    // Not the relay host's own IP.
    private const string Lane = "198.51.100.7";
    private static readonly string[] Providers = ["gmail", "outlook", "yahoo"];
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Renew = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_single_replica_takes_every_providers_lane()
    {
        await using var relay = await StartAsync();
        using var throttle = new ThrottleController();
        var one = Ownership(relay.Database, throttle);
        await one.RenewAsync(default);

        foreach (var provider in Providers) Assert.Null((await one.AdmitAsync(Lane, provider, default)).HandBackUntil);
        Assert.All(Providers, p => Assert.True(one.Paces(Lane, p)));
    }

    [Fact]
    public async Task Two_replicas_asking_for_three_providers_end_with_two_and_one()
    {
        await using var relay = await StartAsync();
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var one = Ownership(relay.Database, first);
        var two = Ownership(relay.Database, second);
        await one.RenewAsync(default);
        await two.RenewAsync(default);

        // The first replica asks for every provider first: it gets its share, not all three.
        foreach (var provider in Providers) await one.AdmitAsync(Lane, provider, default);
        foreach (var provider in Providers) await two.AdmitAsync(Lane, provider, default);

        var paced = (one: Providers.Count(p => one.Paces(Lane, p)), two: Providers.Count(p => two.Paces(Lane, p)));
        Assert.Equal(3, paced.one + paced.two);
        Assert.InRange(paced.one, 1, 2);
        Assert.InRange(paced.two, 1, 2);
        Assert.All(Providers, p => Assert.False(one.Paces(Lane, p) && two.Paces(Lane, p)));
    }

    [Fact]
    public async Task A_replica_at_its_share_takes_a_provider_nobody_else_took_for_a_renew_interval()
    {
        await using var relay = await StartAsync();
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var one = Ownership(relay.Database, first);
        var idle = Ownership(relay.Database, second);
        await one.RenewAsync(default);
        await idle.RenewAsync(default); // alive, but it never asks for a lane

        Assert.Null((await one.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        Assert.NotNull((await one.AdmitAsync(Lane, "outlook", default)).HandBackUntil);

        // Outlook's mail must not wait for a replica that does not ask: it goes beyond the share a renew interval later.
        await Task.Delay(LaneOwnership.AskAgainAfter + Renew);
        await idle.RenewAsync(default);
        Assert.Null((await one.AdmitAsync(Lane, "outlook", default)).HandBackUntil);
        Assert.True(one.Paces(Lane, "outlook"));
    }

    [Fact]
    public async Task A_joining_replica_is_handed_its_share_with_what_the_lane_learned_and_the_spread_then_stays()
    {
        await using var relay = await StartAsync();
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var one = Ownership(relay.Database, first);
        await one.RenewAsync(default);
        foreach (var provider in Providers) Assert.Null((await one.AdmitAsync(Lane, provider, default)).HandBackUntil);
        // Gmail (held longest, so handed over first) pushes back: its owner learned a lower rate.
        first.Record(Lane, "gmail", "tenant", new SmtpReply(421, "4.7.28 Our system has detected an unusual rate of mail originating from your IP address."));
        var learned = first.ExportLanes().Single(l => l.SourceIp == Lane && l.Provider == "gmail").RatePerMinute;
        Assert.True(learned < first.Providers.Get("gmail").StartRatePerMinute);

        // A second replica starts: its heartbeat is all the owner needs to see it paces three providers more.
        var two = Ownership(relay.Database, second);
        await two.RenewAsync(default);
        await one.RenewAsync(default);
        Assert.False(one.Paces(Lane, "gmail"));
        Assert.NotNull((await one.AdmitAsync(Lane, "gmail", default)).HandBackUntil);

        // The joiner adopts the lane at its next renewal, from the state the owner saved as it let go.
        await two.RenewAsync(default);
        Assert.True(two.Paces(Lane, "gmail"));
        Assert.Equal(learned, second.ExportLanes().Single(l => l.SourceIp == Lane && l.Provider == "gmail").RatePerMinute, 6);

        // Two and one: a difference of one moves nothing, however many renewals come.
        var owners = await OwnersAsync(relay);
        for (var i = 0; i < 6; i++)
        {
            await one.RenewAsync(default);
            await two.RenewAsync(default);
            await Task.Delay(Renew / 2);
        }
        Assert.Equal(owners, await OwnersAsync(relay));
        Assert.Equal(2, Providers.Count(p => one.Paces(Lane, p)));
        Assert.Equal(1, Providers.Count(p => two.Paces(Lane, p)));
    }

    [Fact]
    public async Task A_provider_held_shorter_than_the_hand_over_time_stays_with_its_owner()
    {
        await using var relay = await StartAsync();
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var one = Ownership(relay.Database, first, handOverAfter: TimeSpan.FromMinutes(5));
        await one.RenewAsync(default);
        foreach (var provider in Providers) Assert.Null((await one.AdmitAsync(Lane, provider, default)).HandBackUntil);

        var two = Ownership(relay.Database, second);
        await two.RenewAsync(default);
        await one.RenewAsync(default);
        await two.RenewAsync(default);

        Assert.All(Providers, p => Assert.True(one.Paces(Lane, p)));
        Assert.All(Providers, p => Assert.False(two.Paces(Lane, p)));
    }

    [Fact]
    public async Task A_killed_replicas_providers_are_taken_over_by_the_survivor_beyond_its_old_share()
    {
        await using var relay = await StartAsync();
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var victim = Ownership(relay.Database, first);
        var survivor = Ownership(relay.Database, second);
        await victim.RenewAsync(default);
        await survivor.RenewAsync(default);
        Assert.Null((await victim.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        Assert.Null((await survivor.AdmitAsync(Lane, "outlook", default)).HandBackUntil);
        Assert.Null((await victim.AdmitAsync(Lane, "yahoo", default)).HandBackUntil);

        // The victim renews no more (SIGKILL): its leases and its heartbeat end together, and the survivor, alone
        // now, takes both of its providers at the next ask.
        await Task.Delay(Ttl + LaneOwnership.AskAgainAfter);
        await survivor.RenewAsync(default);
        Assert.Null((await survivor.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        Assert.Null((await survivor.AdmitAsync(Lane, "yahoo", default)).HandBackUntil);
        Assert.All(Providers, p => Assert.True(survivor.Paces(Lane, p)));
    }

    [Fact]
    public async Task A_warming_lane_handed_over_gives_its_unused_reserved_sends_back()
    {
        await using var relay = await StartAsync();
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var now = TimeProvider.System.GetUtcNow();
        first.BeginWarmUp(Lane, now);
        second.BeginWarmUp(Lane, now);
        var one = Ownership(relay.Database, first);
        await one.RenewAsync(default);
        // One send of the warming Gmail lane: a block of 10 reserved, 9 unused.
        Assert.NotNull((await one.AdmitAsync(Lane, "gmail", default)).WarmUpDay);
        foreach (var provider in Providers.Skip(1)) Assert.Null((await one.AdmitAsync(Lane, provider, default)).HandBackUntil);
        Assert.Equal(10, await ReservedAsync(relay));

        var two = Ownership(relay.Database, second);
        await two.RenewAsync(default);
        await one.RenewAsync(default);
        await two.RenewAsync(default);

        // Only the one send made stays reserved; the new owner reserves its own block from there.
        Assert.True(two.Paces(Lane, "gmail"));
        Assert.Equal(1, await ReservedAsync(relay));
        Assert.NotNull((await two.AdmitAsync(Lane, "gmail", default)).WarmUpDay);
        Assert.Equal(11, await ReservedAsync(relay));
    }

    private static Task<long> ReservedAsync(RelayHost relay) =>
        relay.QuerySingleAsync<long>("SELECT coalesce(sum(reserved), 0) FROM ip_warmup_sends WHERE source_ip = @Lane AND provider = 'gmail'", new { Lane });

    private static async Task<string> OwnersAsync(RelayHost relay) =>
        string.Join(", ", await relay.QueryAsync<string>("SELECT provider || '=' || owner FROM lane_leases ORDER BY provider"));

    // The host's own worker paces without leases: it has no heartbeat, so it is not one of the replicas counted here.
    private Task<RelayHost> StartAsync() =>
        RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string> { ["Delivery:Lanes:Leased"] = "false" });

    private static LaneOwnership Ownership(Database db, ThrottleController throttle, TimeSpan? handOverAfter = null) =>
        Ownerships.Create(db, throttle, new LaneLeaseOptions { LeaseTtl = Ttl, RenewInterval = Renew, HandOverAfter = handOverAfter ?? TimeSpan.Zero });
}

/// <summary>The share rule alone: ceil(providers / replicas), and a hand-over only to a replica two providers behind.</summary>
public sealed class LaneShareTests
{
    [Theory]
    [InlineData(3, 1, 3)]
    [InlineData(3, 2, 2)]
    [InlineData(4, 2, 2)]
    [InlineData(4, 3, 2)]
    [InlineData(1, 3, 1)]
    [InlineData(0, 2, 0)]
    public void The_share_is_the_providers_over_the_replicas_rounded_up(long providers, long replicas, long share) =>
        Assert.Equal(share, LaneSpread.Share(providers, replicas));

    [Fact]
    public void A_replica_two_providers_behind_is_handed_one_and_one_behind_is_not()
    {
        Assert.Equal("b", LaneSpread.HandOverTarget([new("a", 3), new("b", 1), new("c", 2)], "a"));
        Assert.Null(LaneSpread.HandOverTarget([new("a", 2), new("b", 1)], "a"));
        Assert.Null(LaneSpread.HandOverTarget([new("a", 3)], "a"));
        // Equals: the first by name, so two deciders pick the same.
        Assert.Equal("b", LaneSpread.HandOverTarget([new("a", 2), new("c", 0), new("b", 0)], "a"));
    }
}
