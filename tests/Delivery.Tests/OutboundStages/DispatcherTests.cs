using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Outbound.Dispatch;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.FakeIsp;
using ProMTA.MailPolicy;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>
/// The dispatcher on a fake clock against PostgreSQL and real sockets: a batch never sends after its claim could have
/// been claimed again, and a message's permit goes back when nothing reached the MX. The queue's rows lie in the fake
/// clock's future, so the relay host's own worker (on the real clock) never claims them.
/// </summary>
public sealed class DispatcherTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Loopback = "127.0.0.1";
    private static readonly DateTimeOffset Future = new(2030, 1, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_batch_that_waits_for_its_slot_until_its_claim_nears_its_end_goes_back_and_the_next_claim_delivers_it_once()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var kit = new StageKit();
        kit.Time.SetUtcNow(Future);
        kit.Options.MaxConnectionsPerDestination = 1;
        await using var mx = StartMx(out var route);
        await QueueAsync(relay, "ada@gmail.test");
        // Two replicas (or one before and after a restart): each with its own slots and sessions.
        var slotsOfA = new SessionSlots(Options.Create(kit.Options));
        await using var poolOfA = new SmtpConnectionPool(kit.Time);
        await using var poolOfB = new SmtpConnectionPool(kit.Time);
        var replicaA = kit.Dispatcher(relay.Database, slotsOfA, poolOfA);
        var replicaB = kit.Dispatcher(relay.Database, new SessionSlots(Options.Create(kit.Options)), poolOfB);
        var claimed = await ClaimAsync(relay, kit);
        Assert.Equal(Future + kit.Options.Lease, Assert.Single(claimed).ClaimedUntil);

        // A's batch queues behind a slow batch holding the MX's only slot.
        var slow = slotsOfA.Destination(IPAddress.Loopback);
        await slow.WaitAsync(isTransactional: false, CancellationToken.None);
        var first = replicaA.DeliverAsync(new DestinationBatch("gmail.test", route, Path(kit), [.. claimed]), CancellationToken.None);
        kit.Time.Advance(kit.Options.Lease - kit.Options.LeaseMargin - TimeSpan.FromSeconds(1));
        await Task.Delay(100);
        Assert.False(first.IsCompleted);

        // Its claim is about to end (another claim may take the recipient after it): the batch goes back, due now, no attempt.
        kit.Time.Advance(kit.Options.LeaseMargin + TimeSpan.FromSeconds(2));
        var handedBack = Assert.Single(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(("Queued", false), (handedBack.Status, handedBack.Deferred));
        Assert.True(handedBack.NextAttemptAt <= kit.Time.GetUtcNow());
        await kit.Outcomes(relay.Database).CompleteAsync([handedBack], CancellationToken.None);

        // The next claim (after the first one's lease) sends it; then A's slot comes free: nothing of A's goes any more.
        var again = await ClaimAsync(relay, kit);
        var delivered = Assert.Single(await replicaB.DeliverAsync(new DestinationBatch("gmail.test", route, Path(kit), [.. again]), CancellationToken.None));
        await kit.Outcomes(relay.Database).CompleteAsync([delivered], CancellationToken.None);
        slow.Release();
        await Task.Delay(200);

        Assert.Single(mx.Received);
        Assert.Equal(("Delivered", 1), await relay.QuerySingleAsync<(string, int)>("SELECT status, attempts FROM recipients WHERE address = 'ada@gmail.test'"));
    }

    [Fact]
    public async Task A_permit_goes_back_when_the_mx_refuses_the_session_and_is_spent_when_the_mx_took_the_message()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var kit = new StageKit();
        kit.Time.SetUtcNow(Future);
        var tenant = relay.ServiceId.ToString();
        // One message a second on the lane, and this second's permit already taken.
        kit.Throttle.RestoreLane(new LaneState(Loopback, "gmail", 60, 1, null, null), Future);
        while (kit.Throttle.TryAcquire(Loopback, "gmail", tenant, Future).Allowed) { }
        await using var pool = new SmtpConnectionPool(kit.Time);
        var dispatcher = kit.Dispatcher(relay.Database, new SessionSlots(Options.Create(kit.Options)), pool);
        await QueueAsync(relay, "ada@gmail.test");
        await QueueAsync(relay, "bea@gmail.test");
        var claimed = await ClaimAsync(relay, kit);
        var closed = new Route([new MxTarget("mx.test", new IPEndPoint(IPAddress.Loopback, FreePort.Next()))], null, false);

        // Nothing listens at the MX: the message takes the second's permit, the connection is refused, the permit goes back.
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        var refused = Assert.Single(await dispatcher.DeliverAsync(new DestinationBatch("gmail.test", closed, Path(kit), [claimed[0]]), CancellationToken.None));
        Assert.True(refused.Deferred);
        Assert.StartsWith("451 4.4.1 Connection to mx.test", refused.Reply);
        var now = kit.Time.GetUtcNow();
        Assert.True(kit.Throttle.TryAcquire(Loopback, "gmail", tenant, now).Allowed);
        Assert.False(kit.Throttle.TryAcquire(Loopback, "gmail", tenant, now).Allowed);

        // The MX takes the next second's message: its permit is spent.
        await using var mx = StartMx(out var open);
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        var delivered = Assert.Single(await dispatcher.DeliverAsync(new DestinationBatch("gmail.test", open, Path(kit), [claimed[1]]), CancellationToken.None));
        Assert.Equal("Delivered", delivered.Status);
        Assert.False(kit.Throttle.TryAcquire(Loopback, "gmail", tenant, kit.Time.GetUtcNow()).Allowed);
    }

    [Fact]
    public async Task A_warming_lanes_send_goes_back_when_the_lane_had_no_connection_to_spare_for_the_message()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var kit = new StageKit();
        kit.Time.SetUtcNow(Future);
        var tenant = relay.ServiceId.ToString();
        kit.Throttle.BeginWarmUp(Loopback, Future);
        // The lane may hold one connection, and another batch's session holds it.
        kit.Throttle.RestoreLane(new LaneState(Loopback, "gmail", 60, 1, null, null), Future);
        Assert.True(kit.Throttle.TryOpenConnection(Loopback, "gmail", tenant, Future));
        await using var pool = new SmtpConnectionPool(kit.Time);
        var dispatcher = kit.Dispatcher(relay.Database, new SessionSlots(Options.Create(kit.Options)), pool);
        await QueueAsync(relay, "ada@gmail.test");
        await using var mx = StartMx(out var route);

        // The message takes its permit (a send of the warm-up day), then waits for a connection until its ready wait ends.
        var delivering = dispatcher.DeliverAsync(new DestinationBatch("gmail.test", route, Path(kit), [.. await ClaimAsync(relay, kit)]), CancellationToken.None);
        for (var waited = TimeSpan.Zero; !delivering.IsCompleted && waited <= EgressPath.ReadyWait; waited += EgressPath.ConnectionWait)
        {
            await Task.Delay(50);
            kit.Time.Advance(EgressPath.ConnectionWait);
        }

        var held = Assert.Single(await delivering.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(("Queued", false), (held.Status, held.Deferred));
        Assert.Empty(mx.Received);
        Assert.Equal(0, kit.Throttle.Snapshot(kit.Time.GetUtcNow()).Lanes.Single(l => l.SourceIp == Loopback).SentToday);
    }

    /// <summary>
    /// A bulk batch that gives way to transactional mail gives back its process slot too, and takes both turns again in
    /// the usual order. It used to keep the process slot while it waited for its destination again: a bulk batch let in
    /// at the destination meanwhile then waited for the process slot only the waiting batch held, and neither moved
    /// until their claims ran short (the 20,000-message transactional run stopped sending for minutes).
    /// </summary>
    [Fact]
    public async Task Bulk_that_gave_way_to_transactional_mail_and_bulk_let_in_meanwhile_both_go_on_once_it_had_its_turn()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var kit = new StageKit();
        kit.Time.SetUtcNow(Future);
        // One session at the MX; two in the process, one of them transactional mail's own: bulk holds one at most.
        kit.Options.MaxConnectionsPerDestination = 1;
        kit.Options.MaxConnections = 2;
        // One message a second on the lane, and only the next second's permit to come.
        kit.Throttle.RestoreLane(new LaneState(Loopback, "gmail", 60, 4, null, null), Future);
        while (kit.Throttle.TryAcquire(Loopback, "gmail", relay.ServiceId.ToString(), Future).Allowed) { }
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        await using var pool = new SmtpConnectionPool(kit.Time);
        var dispatcher = kit.Dispatcher(relay.Database, new SessionSlots(Options.Create(kit.Options)), pool);
        foreach (var to in new[] { "a1@gmail.test", "a2@gmail.test", "t@gmail.test", "b@gmail.test" }) await QueueAsync(relay, to);
        var claimed = (await ClaimAsync(relay, kit)).ToDictionary(r => r.Address);
        await using var mx = StartMx(out var route);
        // One egress path for all three, as EgressPaths gives every batch of the lane the same one.
        var path = Path(kit);
        Task<List<RecipientResult>> Deliver(params ClaimedRecipient[] recipients) =>
            dispatcher.DeliverAsync(new DestinationBatch("gmail.test", route, path, [.. recipients]), CancellationToken.None);

        // Bulk A sends its first message and waits for the lane's next second for its second one.
        var a = Deliver(claimed["a1@gmail.test"], claimed["a2@gmail.test"]);
        await WaitUntilAsync(() => mx.Received.Count == 1);
        // Transactional T comes: A gives way (the MX's session and its turns); bulk B queues at the MX behind T.
        var t = Deliver(claimed["t@gmail.test"] with { Stream = MailStream.Transactional });
        await Task.Delay(200);
        var b = Deliver(claimed["b@gmail.test"]);
        await Task.Delay(200);

        // Seconds pass: T, then B and A each get the lane's next permit.
        for (var second = 0; second < 10 && !(a.IsCompleted && b.IsCompleted && t.IsCompleted); second++)
        {
            kit.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(300);
        }

        Assert.True(t.IsCompleted, "the transactional batch did not finish");
        Assert.True(a.IsCompleted && b.IsCompleted, $"bulk stuck: A {a.Status}, B {b.Status}");
        Assert.All((await a).Concat(await b).Concat(await t), r => Assert.Equal("Delivered", r.Status));
        Assert.Equal(4, mx.Received.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition());
    }

    private static EgressPath Path(StageKit kit) => new(Loopback, "gmail", kit.Throttle, kit.Lanes, kit.Time, bypass: false);

    private static Task<IReadOnlyList<ClaimedRecipient>> ClaimAsync(RelayHost relay, StageKit kit) =>
        MessageQueue.ClaimPerProviderAsync(relay.Database, kit.Time.GetUtcNow(), kit.Options.Lease,
            new Dictionary<(string, string), int> { [("Gmail", MailStream.Bulk)] = 10 }, 0, CancellationToken.None);

    /// <summary>One message to <paramref name="to"/> queued at the fake clock's now, as the relay queues it.</summary>
    private static async Task QueueAsync(RelayHost relay, string to)
    {
        using var bytes = new MemoryStream();
        await RelayHost.Message(to).WriteToAsync(bytes);
        var received = Future;
        await MessageQueue.EnqueueAsync(relay.Database,
            [new NewMessage(Guid.NewGuid(), relay.ServiceId, "sender@customer.test", bytes.ToArray(), null, [new NewRecipient(to, "gmail.test", "Gmail")],
                received, received + TimeSpan.FromDays(3))], CancellationToken.None);
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
