using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Shaping;

namespace ProMTA.Delivery.Outbound.Egress;

/// <summary>
/// One egress path: mail from one source IP to one provider (KumoMTA's ready queue per egress path). The only part of
/// the outbound path that asks the throttling controller anything: how much the lane may take, a permit per message,
/// a permit per connection, and what every answer teaches it. Claimed mail waits here, in memory, for its turn (up to
/// <see cref="ReadyWait"/>); only a longer wait hands it back to the queue. Transactional mail goes first: it has its own
/// room to claim (bulk in memory does not eat it; a <paramref name="transactionalReserve"/> share of the allowance is
/// kept from bulk) and takes the next permit while bulk waits (<see cref="Demand"/>).
/// </summary>
/// <remarks>Another Delivery replica may hold the lane (<see cref="LaneOwnership"/>): then this path has no room and hands its mail back.</remarks>
internal sealed class EgressPath(string? sourceIp, string provider, ThrottleController throttle, LaneOwnership lanes, TimeProvider time, bool bypass,
    double transactionalReserve = OutboundOptions.DefaultTransactionalReserve)
{
    /// <summary>The throttling lane of a service without dedicated IPs (the host's default route).</summary>
    public const string DefaultLane = "default-route";

    /// <summary>
    /// The longest a claimed message waits in memory for a permit or a connection. Longer (a suspension, a warm-up cap,
    /// a pace slowed by the ISP) and it goes back to the queue until then: a row update, but no lease runs out.
    /// </summary>
    public static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(15);

    /// <summary>How long to wait before asking again for a connection when the lane has none to spare.</summary>
    public static readonly TimeSpan ConnectionWait = TimeSpan.FromSeconds(1);

    private int pending;
    private int pendingTransactional;

    public string? SourceIp { get; } = sourceIp;
    public string Provider { get; } = provider;
    public string Lane => SourceIp ?? DefaultLane;

    /// <summary>Recipients claimed for this path and not yet completed (both streams).</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Transactional recipients claimed for this path and not yet completed.</summary>
    public int PendingTransactional => Volatile.Read(ref pendingTransactional);

    /// <summary>Transactional mail waiting here for its turn: bulk gives way while it does.</summary>
    public TransactionalDemand Demand { get; } = new();

    public void Claimed(int recipients, bool transactional)
    {
        Interlocked.Add(ref pending, recipients);
        if (transactional) Interlocked.Add(ref pendingTransactional, recipients);
    }

    public void Completed(int recipients, bool transactional)
    {
        Interlocked.Add(ref pending, -recipients);
        if (transactional) Interlocked.Add(ref pendingTransactional, -recipients);
    }

    /// <summary>
    /// How many more recipients of a stream the claim loop may claim for this path now. Bulk: what the lane may send
    /// within <paramref name="horizon"/> less the transactional reserve, less everything already waiting here.
    /// Transactional: the whole allowance less the transactional mail already waiting, so bulk waiting in memory never
    /// takes its room (the permits still pace both, transactional first).
    /// </summary>
    public int Room(TimeSpan horizon, bool transactional)
    {
        if (!lanes.MayClaim(Lane, Provider)) return 0;
        var allowance = throttle.Allowance(Lane, Provider, time.GetUtcNow(), horizon);
        return transactional
            ? Math.Max(0, allowance - PendingTransactional)
            : Math.Max(0, allowance - (int)Math.Floor(allowance * transactionalReserve) - Pending);
    }

    /// <summary>How many connections a destination's share of a batch is spread over: the lane's allowance, within <paramref name="cap"/>.</summary>
    public int Connections(string tenant, int cap) =>
        bypass ? cap : Math.Clamp(throttle.AllowedConnections(Lane, Provider, tenant, time.GetUtcNow()), 1, cap);

    /// <summary>
    /// Waits for the permit to send one message of <paramref name="tenant"/>: the permit once it has it (none in bypass
    /// mode), or the time to hand the message back until when that is beyond <paramref name="deadline"/> (its batch's
    /// <see cref="ReadyWait"/>, or less when its claim ends sooner). <paramref name="beforeWaiting"/> runs before each wait
    /// (the caller parks its open session, so no session idles at the ISP while we wait). A bulk message takes no permit
    /// while transactional mail waits on this path: it calls <paramref name="giveWay"/> (the caller lets go of its session
    /// and destination slot until the transactional mail has its turn; false when it could not take its slot back by its
    /// deadline) and asks again.
    /// </summary>
    public async Task<(MessagePermit? Permit, DateTimeOffset? HandBackUntil)> WaitForPermitAsync(
        string tenant, string relayMode, bool transactional, DateTimeOffset deadline, Func<Task> beforeWaiting, Func<Task<bool>> giveWay, CancellationToken ct)
    {
        throttle.SetRelayMode(tenant, relayMode == "unmanaged" ? RelayMode.Unmanaged : RelayMode.Managed);
        if (bypass) return (null, null);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (!transactional && Demand.IsWaiting)
            {
                // Gave way until the deadline: back to the queue, due at once (behind the transactional mail).
                if (time.GetUtcNow() >= deadline || !await giveWay()) return (null, time.GetUtcNow());
                continue;
            }
            // Only the lane's owner paces it, and a warming lane sends only what it reserved of the day's cap.
            var admission = await lanes.AdmitAsync(Lane, Provider, ct);
            if (admission.HandBackUntil is { } elsewhere) return (null, elsewhere);
            var now = time.GetUtcNow();
            var decision = throttle.TryAcquire(Lane, Provider, tenant, now);
            if (decision.Allowed) return (new MessagePermit(tenant, now, admission), null);
            lanes.Unused(Lane, Provider, admission);
            if (decision.NextSendTime > deadline) return (null, decision.NextSendTime);
            await beforeWaiting();
            var delay = Task.Delay(Max(decision.NextSendTime - now, TimeSpan.FromMilliseconds(1)), time, ct);
            // Bulk wakes as soon as transactional mail starts waiting here, to give way at once.
            await (transactional ? delay : (Task)Task.WhenAny(delay, Demand.Arrived()));
        }
    }

    /// <summary>Asks for one more connection on this lane; pair with <see cref="ConnectionReleaser"/> or <see cref="ConnectFailed"/>.</summary>
    public bool TryOpenConnection(string tenant) => bypass || throttle.TryOpenConnection(Lane, Provider, tenant, time.GetUtcNow());

    /// <summary>The permit of a connection this path opened goes back (null in bypass mode: there was none).</summary>
    public Action? ConnectionReleaser => bypass ? null : () => throttle.CloseConnection(Lane, Provider);

    /// <summary>
    /// No session could be opened: the connection's permit and the message's (<paramref name="permit"/>: nothing reached
    /// the MX) go back, then the controller learns why (a refusal or no answer), so a push-back still empties the lane.
    /// </summary>
    public void ConnectFailed(string tenant, (int Code, string Text) failure, bool answered, MessagePermit? permit)
    {
        if (!bypass) throttle.CloseConnection(Lane, Provider);
        GiveBack(permit);
        throttle.Record(Lane, Provider, tenant, answered ? new SmtpReply(failure.Code, failure.Text) : SmtpReply.ConnectionFailed(failure.Text),
            time.GetUtcNow(), permit?.TakenAt);
    }

    /// <summary>
    /// A message's permit whose message never reached the MX (no session opened, the lane had no connection to spare, its
    /// claim ran short): the lane's token and a warming lane's reserved send go back, so the lane keeps its learned pace.
    /// </summary>
    public void GiveBack(MessagePermit? permit)
    {
        if (permit is null || bypass) return;
        throttle.ReturnPermit(Lane, Provider, permit.Tenant, permit.TakenAt, time.GetUtcNow());
        lanes.Unused(Lane, Provider, permit.Admission);
    }

    /// <summary>
    /// The controller learns from every distinct answer to one message sent with <paramref name="permit"/> (acceptance,
    /// deferral, refusal); true when one asks us to slow down (a rate-limit or reputation answer, or any 421): the
    /// session must end. The permit's time tells the controller whether a push-back answers its current rate.
    /// </summary>
    public bool Learn(string tenant, IEnumerable<(int Code, string Text)> answers, MessagePermit? permit = null)
    {
        var slowDown = false;
        foreach (var answer in answers.Distinct())
        {
            var replyClass = throttle.Record(Lane, Provider, tenant, new SmtpReply(answer.Code, answer.Text), time.GetUtcNow(), permit?.TakenAt).Class;
            slowDown |= replyClass is ReplyClass.RateLimited or ReplyClass.Reputation || answer.Code == 421;
        }
        return slowDown;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
