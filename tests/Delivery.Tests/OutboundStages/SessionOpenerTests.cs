using System.Net;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Outbound.Dispatch;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.FakeIsp;
using ProMTA.MailPolicy;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>
/// A session for a batch when the lane has no connection to spare: bulk waits (here: goes back at its deadline), while
/// transactional mail closes the lane's idle session to another MX and opens its own. Real sockets to two fake MXs.
/// </summary>
public sealed class SessionOpenerTests
{
    private const string Loopback = "127.0.0.1";

    [Fact]
    public async Task A_transactional_batch_gets_a_session_when_the_lanes_only_connection_idles_at_another_mx()
    {
        using var kit = new StageKit();
        await using var first = StartMx(out var firstRoute);
        await using var second = StartMx(out var secondRoute);
        // The lane may hold one connection, and it is open, idle in the pool, at the first MX.
        kit.Throttle.RestoreLane(new LaneState(Loopback, "gmail", 600, 1, null, null), StageKit.T0);
        await using var pool = new SmtpConnectionPool(kit.Time);
        var opener = new SessionOpener(pool, new MxConnector(Options.Create(kit.Options)), kit.Time);
        var path = new EgressPath(Loopback, "gmail", kit.Throttle, kit.Lanes, kit.Time, bypass: false);
        var idle = await opener.OpenAsync(path, "first.test", firstRoute, "mta.test", "tenant-1", transactional: false, StageKit.T0 + EgressPath.ReadyWait, permit: null, CancellationToken.None);
        await opener.ReturnAsync(idle.Connection!, reusable: true);
        Assert.Equal(1, first.OpenSessions);

        // Bulk for the second MX finds no connection to spare: with its deadline now, it goes back until the lane may have one.
        var bulk = await opener.OpenAsync(path, "second.test", secondRoute, "mta.test", "tenant-1", transactional: false, StageKit.T0, permit: null, CancellationToken.None);
        Assert.Null(bulk.Connection);
        Assert.NotNull(bulk.RetryAt);

        // Transactional mail for the second MX closes the idle session and opens its own, still one connection on the lane.
        var transactional = await opener.OpenAsync(path, "second.test", secondRoute, "mta.test", "tenant-1", transactional: true, StageKit.T0, permit: null, CancellationToken.None);
        Assert.NotNull(transactional.Connection);
        await RelayHost.EventuallyAsync(() => Task.FromResult(first.OpenSessions == 0 && second.OpenSessions == 1), TimeSpan.FromSeconds(10));
        Assert.False(path.TryOpenConnection("tenant-1"));
        await opener.ReturnAsync(transactional.Connection!, reusable: false);
    }

    private static FakeMx StartMx(out Route route)
    {
        var port = FreePort.Next();
        var mx = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", Address = Loopback }, port);
        mx.Start();
        route = new Route([new MxTarget("mx.test", new IPEndPoint(IPAddress.Loopback, port))], null, false);
        return mx;
    }
}
