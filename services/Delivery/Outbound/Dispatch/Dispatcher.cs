using Microsoft.Extensions.Options;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.Delivery.Outbound.Outcome;
using ProMTA.MailPolicy.Replies;
using ProMTA.ServiceDefaults.Domains;

namespace ProMTA.Delivery.Outbound.Dispatch;

/// <summary>
/// Sends one destination batch over one session (pooled when a healthy one is idle), message by message, each when its
/// egress path permits it, and turns every answer into the recipient's next state. A message its path cannot send
/// within <see cref="EgressPath.ReadyWait"/> is handed back (our own pacing: no attempt, no deferral), and so is what
/// cannot go while the batch's claim lasts (<see cref="BatchLease"/>: never sent after another claim may send it). A
/// message's permit goes back when nothing reached the MX. A transactional batch is let in first at its destination and
/// tells its path it waits (<see cref="EgressPath.Demand"/>): bulk batches there then park their session and give up
/// their destination slot between two messages until it has its turn.
/// </summary>
internal sealed class Dispatcher(
    MessagePayloads payloads, SessionSlots slots, SessionOpener sessions, MessageTransaction transaction, RecipientOutcomes outcomes,
    IOptions<OutboundOptions> options, TimeProvider time)
{
    private OutboundOptions Options => options.Value;

    public async Task<List<RecipientResult>> DeliverAsync(DestinationBatch batch, CancellationToken ct)
    {
        var (domain, route, path, recipients) = batch;
        if (route.Error is not null)
            return [.. recipients.Select(r => outcomes.Replied(r, new SmtpReply(route.Permanent ? 550 : 451, route.Error), path.SourceIp, path.Provider))];
        var transactional = batch.Transactional;
        var gate = slots.Destination(route.Targets[0].EndPoint.Address);
        // Transactional mail waits from now until it has its first session; bulk on the path gives way meanwhile.
        var waiting = transactional ? path.Demand.Enter() : null;
        var holdingGate = false;
        var holdingSlot = false;
        var results = new List<RecipientResult>(recipients.Count);
        PooledConnection? connection = null;
        (int Code, string Text)? stop = null;
        // Once the lane had no connection to spare within the wait, or the claim ran short, the rest of the batch goes back with that message.
        DateTimeOffset? restBackAt = null;
        var lease = BatchLease.Of(recipients, Options);
        // The batch waits for its permits and connections in memory until then at most; what cannot go by then goes back to the queue.
        var deadline = Min(time.GetUtcNow() + EgressPath.ReadyWait, lease.WaitUntil);
        try
        {
            // Its slots it waits for as long as its claim allows: a backlog behind a slow MX goes back, it is not sent twice.
            holdingGate = await gate.WaitAsync(transactional, lease.WaitUntil, time, ct);
            holdingSlot = holdingGate && await slots.Process.WaitAsync(transactional, lease.WaitUntil, time, ct);
            if (!holdingSlot)
            {
                results.AddRange(recipients.Select(r => RecipientOutcomes.Held(r, time.GetUtcNow(), path.SourceIp, path.Provider, path.Lane)));
                return results;
            }
            // Loaded only now: batches queued for their turn hold no message bodies.
            var load = await payloads.LoadAsync(recipients, ct);
            foreach (var message in recipients.GroupBy(r => r.MessageId))
            {
                var first = message.First();
                var tenant = first.ServiceId.ToString();
                var returnDomain = load.Hosted is null ? null : ReturnDomain(first.MailFrom, load.Hosted[first.ServiceId]);
                // A VERP return path is a transaction per recipient.
                var transactions = returnDomain is null ? 1 : message.Count();
                if (transactional) waiting ??= path.Demand.Enter();
                var (permit, holdUntil) = stop is null ? await TakeTurnAsync(first, tenant, transactions) : (null, null);
                waiting?.Dispose();
                waiting = null;
                if (holdUntil is { } until)
                {
                    results.AddRange(message.Select(r => RecipientOutcomes.Held(r, until, path.SourceIp, path.Provider, path.Lane)));
                    continue;
                }
                if (stop is { } || connection is null)
                {
                    path.GiveBack(permit);
                    var failure = stop ?? (451, "4.4.1 Not connected");
                    results.AddRange(message.Select(r => outcomes.Replied(r, new SmtpReply(failure.Code, failure.Text), path.SourceIp, path.Provider)));
                    continue;
                }
                var sent = await transaction.SendAsync(connection.Client, first, returnDomain, [.. message], load.Data[message.Key], load.Keys.GetValueOrDefault(first.ServiceId), ct);
                connection.Sent++;
                results.AddRange(message.Select(r => outcomes.Replied(r, new SmtpReply(sent[r.Id].Code, sent[r.Id].Text), path.SourceIp, path.Provider)));
                if (path.Learn(tenant, sent.Values, permit))
                {
                    // A rate-limit or reputation answer (or any 421) ends this session, closing or not (Outlook's
                    // 451 4.7.650 keeps it open): the rest of the batch waits for the lane's new, lower pace.
                    await sessions.ReturnAsync(connection, reusable: false);
                    connection = null;
                }
            }
        }
        finally
        {
            waiting?.Dispose();
            if (connection is not null) await sessions.ReturnAsync(connection, reusable: stop is null && connection.Sent < Options.MessagesPerConnection);
            if (holdingSlot) slots.Process.Release();
            if (holdingGate) gate.Release();
        }
        return results;

        // A message's turn: its claim still long enough, its permit, a session; else the time to hand it back until (no
        // permit kept), or no permit and the session's failure in stop.
        async Task<(MessagePermit? Permit, DateTimeOffset? HoldUntil)> TakeTurnAsync(ClaimedRecipient first, string tenant, int transactions)
        {
            if ((restBackAt ??= ClaimRunsShort(transactions)) is { } back) return (null, back);
            var (permit, holdUntil) = await path.WaitForPermitAsync(tenant, first.RelayMode, transactional, deadline, ParkAsync, GiveWayAsync, ct);
            if (holdUntil is not null) return (null, holdUntil);
            if (connection is null || !connection.Client.IsConnected || connection.Sent >= Options.MessagesPerConnection)
            {
                if (connection is not null) await sessions.ReturnAsync(connection, reusable: false);
                var helo = SourceHostnames.For(path.SourceIp, first.SourceIps, first.SourceHostnames, Options.HeloName);
                // A session that fails to open gives the permit back itself, before the controller learns why.
                var attempt = await sessions.OpenAsync(path, domain, route, helo, tenant, transactional, deadline, permit, ct);
                (connection, stop, restBackAt) = (attempt.Connection, attempt.Failure, attempt.RetryAt);
                if (stop is not null) return (null, null);
            }
            // The session may have taken long to open: the message goes only while the claim outlasts it.
            if ((restBackAt ??= ClaimRunsShort(transactions)) is { } late)
            {
                path.GiveBack(permit);
                return (null, late);
            }
            return (permit, null);
        }

        DateTimeOffset? ClaimRunsShort(int transactions) => lease.Outlasts(time.GetUtcNow(), transactions) ? null : time.GetUtcNow();

        // While the batch waits for its turn the session goes back to the pool (the next message rents it again, with a
        // NOOP that proves it alive), so no session idles at the ISP on our account or dies unnoticed.
        async Task ParkAsync()
        {
            if (connection is null) return;
            await sessions.ReturnAsync(connection, reusable: connection.Sent < Options.MessagesPerConnection);
            connection = null;
        }

        // Bulk, while transactional mail waits on the path: its session goes to the pool (the transactional batch may
        // rent it) and both its turns go back; it takes them again once that has had its turn, in the order every batch
        // takes them (destination, then process; false: not before the claim runs short). Keeping the process slot
        // while waiting for the destination again deadlocked: a bulk batch let in at the destination meanwhile waited
        // for a process slot that only the batches giving way held (the 20,000-message transactional run, 2026-12-06:
        // nothing was sent for minutes, transactional mail included, until the claims ran short).
        async Task<bool> GiveWayAsync()
        {
            await ParkAsync();
            slots.Process.Release();
            holdingSlot = false;
            gate.Release();
            holdingGate = false;
            await Task.WhenAny(path.Demand.Cleared(), Task.Delay(Max(deadline - time.GetUtcNow(), TimeSpan.Zero), time, ct));
            holdingGate = await gate.WaitAsync(isTransactional: false, lease.WaitUntil, time, ct);
            holdingSlot = holdingGate && await slots.Process.WaitAsync(isTransactional: false, lease.WaitUntil, time, ct);
            // Without its turns the batch sends nothing more: the rest goes back with this message.
            if (!holdingSlot) restBackAt ??= time.GetUtcNow();
            return holdingSlot;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// The hosted domain (our MX receives its mail) that a VERP return path for this sender lives on: the sender's own
    /// domain or the hosted one it is below; null for the null reverse path (reports never get one) or when the service
    /// hosts none of it (the customer's MAIL FROM is kept).
    /// </summary>
    private static string? ReturnDomain(string mailFrom, IEnumerable<string> hosted)
    {
        if (!MailboxAddress.TryParse(mailFrom, out var from) || DomainName.Normalize(from.Domain) is not { } domain) return null;
        return hosted.Where(h => DomainName.IsSelfOrBelow(domain, h)).MaxBy(h => h.Length);
    }
}
