using ProMTA.MailPolicy.Shaping;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

/// <summary>What a lane learned survives a restart: exported by one controller, restored into a fresh one.</summary>
public sealed class LaneStateTests
{
    [Fact]
    public void A_restored_lane_keeps_its_learned_rate_recovery_target_suspension_and_probe_credit()
    {
        using var learned = Create();
        SendClean(learned, T0, TimeSpan.FromMinutes(3));
        learned.Record(Ip, "gmail", Tenant, GmailRateLimited, T0 + TimeSpan.FromMinutes(3));
        learned.Record(Ip, "yahoo", Tenant, Replies.SmtpReply.Parse("421 4.7.0 [TSS04] Messages from 198.51.100.10 temporarily deferred"), T0 + TimeSpan.FromMinutes(3));
        var saved = learned.ExportLanes();
        var gmail = saved.Single(l => l.Provider == "gmail");
        Assert.NotNull(gmail.LastThrottledRate);
        Assert.NotNull(saved.Single(l => l.Provider == "yahoo").SuspendedUntil);
        Assert.True(gmail.ProbeCredit > 0);

        using var restarted = Create();
        var now = T0 + TimeSpan.FromMinutes(4);
        foreach (var lane in saved) restarted.RestoreLane(lane, now);

        var lanes = restarted.Snapshot(now).Lanes;
        Assert.Equal(gmail.RatePerMinute, lanes.Single(l => l.Provider == "gmail").RatePerMinute, 6);
        Assert.Equal(ShapingMode.Backoff, lanes.Single(l => l.Provider == "gmail").Mode);
        Assert.Equal(ShapingMode.Suspended, lanes.Single(l => l.Provider == "yahoo").Mode);
        Assert.Equal(ThrottleReason.IpSuspended, restarted.TryAcquire(Ip, "yahoo", Tenant, now).Reason);
        Assert.Equal(saved.OrderBy(l => l.Provider), restarted.ExportLanes().OrderBy(l => l.Provider));
    }

    [Fact]
    public void A_restored_rate_stays_within_the_providers_floor_and_ceiling()
    {
        using var controller = Create();
        controller.RestoreLane(new LaneState(Ip, "gmail", 1e9, 1000, null, null), T0);
        var lane = controller.Snapshot(T0).Lanes.Single();
        var limits = controller.Providers.Get("gmail");
        Assert.Equal(limits.CeilingRatePerMinute, lane.RatePerMinute);
        Assert.Equal(limits.MaxConnections, lane.AllowedConnections);
    }

    [Fact]
    public void The_send_interval_follows_the_lanes_rate_and_the_relay_mode()
    {
        using var controller = Create();
        controller.RestoreLane(new LaneState(Ip, "gmail", 120, 2, null, null), T0);

        Assert.Equal(TimeSpan.FromSeconds(0.5), controller.SendInterval(Ip, "gmail", Tenant, T0));
        controller.SetRelayMode(Tenant, RelayMode.Unmanaged);
        Assert.Equal(TimeSpan.FromSeconds(0.05), controller.SendInterval(Ip, "gmail", Tenant, T0));
    }
}
