using ProMTA.Delivery.Outbound.Egress;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Replies;
using Xunit;
using static ProMTA.Delivery.Tests.OutboundStages.StageKit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>The egress path: claimed mail waits in memory for its lane's permit, and only a long wait hands it back.</summary>
public sealed class EgressPathTests
{
    private const string Tenant = "tenant-1";

    private static readonly Func<Task<bool>> NoGiveWay = () => throw new InvalidOperationException("no transactional mail waits here");

    [Fact]
    public async Task A_message_goes_at_once_while_its_lane_has_a_permit()
    {
        using var kit = new StageKit();
        var path = kit.Path("gmail");

        var (permit, hold) = await path.WaitForPermitAsync(Tenant, "managed", transactional: false, kit.Time.GetUtcNow() + EgressPath.ReadyWait, () => Task.CompletedTask, NoGiveWay, CancellationToken.None);

        Assert.Null(hold);
        Assert.NotNull(permit);
    }

    [Fact]
    public async Task A_message_waits_in_memory_for_the_next_permit_instead_of_going_back_to_the_queue()
    {
        using var kit = new StageKit();
        // One message a second, and the permit of this second already taken.
        kit.Throttle.RestoreLane(new LaneState(Ip, "gmail", 60, 1, null, null), T0);
        var path = kit.Path("gmail");
        while (kit.Throttle.TryAcquire(Ip, "gmail", Tenant, T0).Allowed) { }
        var parked = 0;

        var waiting = path.WaitForPermitAsync(Tenant, "managed", transactional: false, T0 + EgressPath.ReadyWait, () => { parked++; return Task.CompletedTask; }, NoGiveWay, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        kit.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null((await waiting).HandBackUntil);
        Assert.Equal(1, parked);
    }

    [Fact]
    public async Task A_message_whose_lane_is_suspended_is_handed_back_until_the_suspension_ends_without_waiting()
    {
        using var kit = new StageKit();
        var path = kit.Path("gmail");
        // Gmail's reputation reply suspends the lane for an hour.
        path.Learn(Tenant, [(421, "4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address.")]);

        var (_, hold) = await path.WaitForPermitAsync(Tenant, "managed", transactional: false, T0 + EgressPath.ReadyWait, () => throw new InvalidOperationException("no wait"), NoGiveWay, CancellationToken.None);

        Assert.NotNull(hold);
        Assert.True(hold > T0 + TimeSpan.FromMinutes(30));
    }

    [Fact]
    public void A_rate_limit_answer_tells_the_dispatcher_to_end_the_session_and_an_acceptance_does_not()
    {
        using var kit = new StageKit();
        var path = kit.Path("gmail");

        Assert.False(path.Learn(Tenant, [(250, "2.0.0 OK")]));
        Assert.True(path.Learn(Tenant, [(421, "4.7.28 Our system has detected an unusual rate of mail originating from your IP address.")]));
    }

    [Fact]
    public void The_room_to_claim_is_what_the_lane_may_send_within_the_horizon_less_what_already_waits()
    {
        using var kit = new StageKit();
        var path = kit.Path("gmail");
        var allowance = kit.Throttle.Allowance(Ip, "gmail", T0, TimeSpan.FromSeconds(2));

        path.Claimed(2, transactional: false);

        var reserve = (int)Math.Floor(allowance * ProMTA.Delivery.Outbound.OutboundOptions.DefaultTransactionalReserve);
        Assert.Equal(Math.Max(0, allowance - reserve - 2), path.Room(TimeSpan.FromSeconds(2), transactional: false));
        path.Claimed(allowance, transactional: false);
        Assert.Equal(0, path.Room(TimeSpan.FromSeconds(2), transactional: false));
    }

    [Fact]
    public async Task A_benchmark_path_sends_without_asking_the_controller()
    {
        using var kit = new StageKit();
        kit.Throttle.RestoreLane(new LaneState(Ip, "gmail", 1, 1, null, T0 + TimeSpan.FromHours(1)), T0);
        var path = kit.Path("gmail", bypass: true);

        Assert.Equal((null, null), await path.WaitForPermitAsync(Tenant, "managed", transactional: false, T0, () => Task.CompletedTask, NoGiveWay, CancellationToken.None));
        Assert.True(path.TryOpenConnection(Tenant));
    }

    [Fact]
    public async Task A_waiting_transactional_message_takes_the_next_permit_and_bulk_gives_way_until_it_has_it()
    {
        using var kit = new StageKit();
        // One message a second, and the permit of this second already taken.
        kit.Throttle.RestoreLane(new LaneState(Ip, "gmail", 60, 1, null, null), T0);
        var path = new EgressPath(Ip, "gmail", kit.Throttle, kit.Lanes, kit.Time, bypass: false);
        while (kit.Throttle.TryAcquire(Ip, "gmail", Tenant, T0).Allowed) { }
        var gaveWay = 0;
        var order = new List<string>();

        // Bulk waits first for the next permit; then a transactional message starts waiting on the same path.
        var bulk = Permit("bulk", transactional: false, giveWay: async () => { gaveWay++; await path.Demand.Cleared(); return true; });
        var demand = path.Demand.Enter();
        await Eventually(() => gaveWay == 1); // bulk gave way at once, without waiting for the permit's time
        var transactional = Permit("transactional", transactional: true, giveWay: NoGiveWay);
        await Task.Delay(50);

        kit.Time.Advance(TimeSpan.FromSeconds(1));
        await transactional;
        Assert.Equal(["transactional"], order);
        Assert.False(bulk.IsCompleted);

        // The transactional message has its turn: bulk asks again and gets the permit after that one.
        demand.Dispose();
        await Task.Delay(50);
        Assert.False(bulk.IsCompleted);
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        await bulk;
        Assert.Equal(["transactional", "bulk"], order);
        Assert.Equal(1, gaveWay);

        async Task Permit(string name, bool transactional, Func<Task<bool>> giveWay)
        {
            Assert.Null((await path.WaitForPermitAsync(Tenant, "managed", transactional, T0 + EgressPath.ReadyWait, () => Task.CompletedTask, giveWay, CancellationToken.None)).HandBackUntil);
            lock (order) order.Add(name);
        }
    }

    [Fact]
    public async Task Bulk_that_gave_way_until_its_deadline_goes_back_to_the_queue_due_at_once()
    {
        using var kit = new StageKit();
        var path = new EgressPath(Ip, "gmail", kit.Throttle, kit.Lanes, kit.Time, bypass: false);
        using var demand = path.Demand.Enter();

        var (_, hold) = await path.WaitForPermitAsync(Tenant, "managed", transactional: false, T0 + EgressPath.ReadyWait, () => Task.CompletedTask,
            () => { kit.Time.Advance(EgressPath.ReadyWait); return Task.FromResult(true); }, CancellationToken.None);

        Assert.Equal(T0 + EgressPath.ReadyWait, hold);
    }

    [Fact]
    public async Task Bulk_that_could_not_take_its_slot_back_while_its_claim_lasts_goes_back_at_once_without_a_permit()
    {
        using var kit = new StageKit();
        var path = new EgressPath(Ip, "gmail", kit.Throttle, kit.Lanes, kit.Time, bypass: false);
        using var demand = path.Demand.Enter();

        var (permit, hold) = await path.WaitForPermitAsync(Tenant, "managed", transactional: false, T0 + EgressPath.ReadyWait, () => Task.CompletedTask,
            () => Task.FromResult(false), CancellationToken.None);

        Assert.Null(permit);
        Assert.Equal(T0, hold);
    }

    [Fact]
    public async Task A_permit_whose_session_never_opened_goes_back_and_the_next_message_goes_at_once()
    {
        using var kit = new StageKit();
        // One message a second, and the permit of this second already taken.
        kit.Throttle.RestoreLane(new LaneState(Ip, "gmail", 60, 1, null, null), T0);
        var path = kit.Path("gmail");
        while (kit.Throttle.TryAcquire(Ip, "gmail", Tenant, T0).Allowed) { }
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        var (permit, _) = await path.WaitForPermitAsync(Tenant, "managed", transactional: false, kit.Time.GetUtcNow(), NoWait, NoGiveWay, CancellationToken.None);
        Assert.NotNull(permit);
        Assert.True(path.TryOpenConnection(Tenant));

        path.ConnectFailed(Tenant, (451, "4.4.1 Connection to mx.test failed: Connection refused"), answered: false, permit);

        // The next message has its permit now, not a second later; the one after it waits (only the one permit came back).
        var (next, _) = await path.WaitForPermitAsync(Tenant, "managed", transactional: false, kit.Time.GetUtcNow(), NoWait, NoGiveWay, CancellationToken.None);
        Assert.NotNull(next);
        var (_, later) = await path.WaitForPermitAsync(Tenant, "managed", transactional: false, kit.Time.GetUtcNow(), NoWait, NoGiveWay, CancellationToken.None);
        Assert.Equal(kit.Time.GetUtcNow() + TimeSpan.FromSeconds(1), later);
    }

    [Fact]
    public async Task A_warming_lane_counts_no_send_for_a_permit_given_back()
    {
        using var kit = new StageKit();
        kit.Throttle.BeginWarmUp(Ip, T0);
        var path = kit.Path("gmail");
        var (permit, _) = await path.WaitForPermitAsync(Tenant, "managed", transactional: false, T0 + EgressPath.ReadyWait, NoWait, NoGiveWay, CancellationToken.None);
        Assert.Equal(1, kit.Throttle.Snapshot(T0).Lanes.Single().SentToday);

        path.GiveBack(permit);

        Assert.Equal(0, kit.Throttle.Snapshot(T0).Lanes.Single().SentToday);
    }

    private static readonly Func<Task> NoWait = () => throw new InvalidOperationException("no wait");

    private static async Task Eventually(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }
}
