using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Replies;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests.Lanes;

/// <summary>
/// Two replicas' lane ownerships on one database (each with its own throttling controller): one paces a lane at a time,
/// the other takes the lane over with what the owner learned when the owner stops renewing or lets it go.
/// </summary>
public sealed class LaneLeaseTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    // Not the relay host's own IP: its worker never asks for these lanes.
    private const string Lane = "198.51.100.7";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task A_lane_whose_owner_stops_renewing_is_taken_over_with_what_the_owner_learned()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var one = Ownership(relay.Database, first);
        var two = Ownership(relay.Database, second);

        Assert.Null((await one.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        // Gmail pushes back: the owner slows the lane down and saves that with its lease.
        first.Record(Lane, "gmail", "tenant", new SmtpReply(421, "4.7.28 Our system has detected an unusual rate of mail originating from your IP address."));
        var learned = first.ExportLanes().Single(l => l.SourceIp == Lane).RatePerMinute;
        Assert.True(learned < first.Providers.Get("gmail").StartRatePerMinute);
        await one.RenewAsync(default);

        // The other replica has mail for the lane too: it hands it back and does not pace the lane.
        Assert.NotNull((await two.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        Assert.False(two.Paces(Lane, "gmail"));

        // The owner stops renewing (frozen or killed): once its lease ran out the other replica takes the lane.
        await Task.Delay(Ttl + LaneOwnership.AskAgainAfter);
        Assert.Null((await two.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        Assert.True(two.Paces(Lane, "gmail"));
        Assert.Equal(learned, second.ExportLanes().Single(l => l.SourceIp == Lane).RatePerMinute, 6);

        // The old owner learns at its next renewal that the lane is no longer its own, and stops pacing it.
        Assert.False(one.Paces(Lane, "gmail"));
        await one.RenewAsync(default);
        Assert.NotNull((await one.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        Assert.Equal(two.ReplicaId, await relay.QuerySingleAsync<string>("SELECT owner FROM lane_leases WHERE lane = @Lane AND provider = 'gmail'", new { Lane }));
    }

    [Fact]
    public async Task A_stopping_replica_lets_its_lanes_go_at_once_with_their_state()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var one = Ownership(relay.Database, first, TimeSpan.FromMinutes(5));
        var two = Ownership(relay.Database, second, TimeSpan.FromMinutes(5));

        Assert.Null((await one.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        first.Record(Lane, "gmail", "tenant", new SmtpReply(421, "4.7.28 Our system has detected an unusual rate of mail originating from your IP address."));
        var learned = first.ExportLanes().Single(l => l.SourceIp == Lane).RatePerMinute;
        Assert.True(learned < first.Providers.Get("gmail").StartRatePerMinute);
        Assert.NotNull((await two.AdmitAsync(Lane, "gmail", default)).HandBackUntil);

        await one.ReleaseAllAsync(default);

        // A five-minute lease, yet the lane is free as soon as the other replica asks again.
        await Task.Delay(LaneOwnership.AskAgainAfter);
        Assert.Null((await two.AdmitAsync(Lane, "gmail", default)).HandBackUntil);
        Assert.Equal(learned, second.ExportLanes().Single(l => l.SourceIp == Lane).RatePerMinute, 6);
    }

    [Fact]
    public async Task A_providers_lanes_stay_with_one_replica_while_it_lives()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var first = new ThrottleController();
        using var second = new ThrottleController();
        var one = Ownership(relay.Database, first);
        var two = Ownership(relay.Database, second);

        Assert.Null((await one.AdmitAsync(Lane, "outlook", default)).HandBackUntil);
        // Another IP's Outlook lane is free, but Outlook's mail is claimed by the replica pacing Outlook already.
        Assert.NotNull((await two.AdmitAsync("198.51.100.8", "outlook", default)).HandBackUntil);
        Assert.Null((await one.AdmitAsync("198.51.100.8", "outlook", default)).HandBackUntil);
        // Another provider's lane of the same IP goes to whoever asks first.
        Assert.Null((await two.AdmitAsync(Lane, "yahoo", default)).HandBackUntil);
    }

    private static LaneOwnership Ownership(Database db, ThrottleController throttle, TimeSpan? ttl = null) =>
        Ownerships.Create(db, throttle, new LaneLeaseOptions { LeaseTtl = ttl ?? Ttl, RenewInterval = TimeSpan.FromSeconds(0.5) });
}
