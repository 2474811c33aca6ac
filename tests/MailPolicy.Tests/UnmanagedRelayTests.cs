using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Shaping;
using Xunit;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

public sealed class UnmanagedRelayTests
{
    [Fact]
    public void An_unmanaged_relay_bypasses_the_controller_and_keeps_only_the_safety_caps()
    {
        using var controller = Create();
        controller.SetRelayMode(Tenant, RelayMode.Unmanaged);
        controller.BeginWarmUp(Ip, T0);
        controller.Record(Ip, "gmail", Tenant, GmailUnsolicited, T0);
        controller.Record(Ip, "gmail", Tenant, GmailRateLimited, T0);

        long sent = 0;
        for (var now = T0; now < T0 + TimeSpan.FromMinutes(1); now += TimeSpan.FromMilliseconds(100))
            while (controller.TryAcquire(Ip, "gmail", Tenant, now).Allowed) sent++;

        var caps = controller.Providers.UnmanagedSafetyCaps;
        Assert.InRange(sent, caps.MaxRatePerMinute - 25, caps.MaxRatePerMinute + 25);
        var end = T0 + TimeSpan.FromMinutes(1);
        while (controller.TryAcquire(Ip, "gmail", Tenant, end).Allowed) { }
        Assert.Equal(ThrottleReason.SafetyCap, controller.TryAcquire(Ip, "gmail", Tenant, end).Reason);
        Assert.Equal(ThrottlingData.Default.Providers.Get("gmail").StartRatePerMinute, RateOf(controller));
    }

    [Fact]
    public void Unmanaged_connections_are_capped_by_the_safety_cap_only()
    {
        using var controller = Create();
        controller.SetRelayMode(Tenant, RelayMode.Unmanaged);
        var opened = 0;
        while (controller.TryOpenConnection(Ip, "comcast", Tenant, T0)) opened++;

        Assert.Equal(controller.Providers.UnmanagedSafetyCaps.MaxConnections, opened);
    }

    [Fact]
    public void Managed_connections_follow_the_lane()
    {
        using var controller = Create();
        var opened = 0;
        while (controller.TryOpenConnection(Ip, "comcast", Tenant, T0)) opened++;
        controller.CloseConnection(Ip, "comcast");

        Assert.Equal(ThrottlingData.Default.Providers.Get("comcast").StartConnections, opened);
        Assert.True(controller.TryOpenConnection(Ip, "comcast", Tenant, T0));
    }

    [Fact]
    public void Switching_back_to_managed_shapes_again()
    {
        using var controller = Create();
        controller.SetRelayMode(Tenant, RelayMode.Unmanaged);
        controller.SetRelayMode(Tenant, RelayMode.Managed);
        controller.Record(Ip, "gmail", Tenant, GmailUnsolicited, T0);

        Assert.Equal(ThrottleReason.IpSuspended, controller.TryAcquire(Ip, "gmail", Tenant, T0).Reason);
    }
}
