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
/// within <see cref="EgressPath.ReadyWait"/> is handed back (our own pacing: no attempt, no deferral). A transactional
/// batch is let in first at its destination and tells its path it waits (<see cref="EgressPath.Demand"/>): bulk batches
/// there then park their session and give up their destination slot between two messages until it has its turn.
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
        // Once the lane had no connection to spare within the wait, the rest of the batch goes back with that message.
        DateTimeOffset? noConnectionUntil = null;
        // The batch waits for its turns in memory until then at most; what cannot go by then goes back to the queue.
        var deadline = time.GetUtcNow() + EgressPath.ReadyWait;
        try
        {
            await gate.WaitAsync(transactional, ct);
            holdingGate = true;
            await slots.Process.WaitAsync(transactional, ct);
            holdingSlot = true;
            // Loaded only now: batches queued for their turn hold no message bodies.
            var load = await payloads.LoadAsync(recipients, ct);
            foreach (var message in recipients.GroupBy(r => r.MessageId))
            {
                var first = message.First();
                var tenant = first.ServiceId.ToString();
                if (transactional) waiting ??= path.Demand.Enter();
                var holdUntil = noConnectionUntil;
                if (stop is null && holdUntil is null) holdUntil = await path.WaitForPermitAsync(tenant, first.RelayMode, transactional, deadline, ParkAsync, GiveWayAsync, ct);
                if (stop is null && holdUntil is null && (connection is null || !connection.Client.IsConnected || connection.Sent >= Options.MessagesPerConnection))
                {
                    if (connection is not null) await sessions.ReturnAsync(connection, reusable: false);
                    var helo = SourceHostnames.For(path.SourceIp, first.SourceIps, first.SourceHostnames, Options.HeloName);
                    var attempt = await sessions.OpenAsync(path, domain, route, helo, tenant, transactional, deadline, ct);
                    (connection, stop, holdUntil, noConnectionUntil) = (attempt.Connection, attempt.Failure, attempt.RetryAt, attempt.RetryAt);
                }
                waiting?.Dispose();
                waiting = null;
                if (holdUntil is { } until)
                {
                    results.AddRange(message.Select(r => RecipientOutcomes.Held(r, until, path.SourceIp, path.Provider, path.Lane)));
                    continue;
                }
                if (stop is { } || connection is null)
                {
                    var failure = stop ?? (451, "4.4.1 Not connected");
                    results.AddRange(message.Select(r => outcomes.Replied(r, new SmtpReply(failure.Code, failure.Text), path.SourceIp, path.Provider)));
                    continue;
                }
                var returnDomain = load.Hosted is null ? null : ReturnDomain(first.MailFrom, load.Hosted[first.ServiceId]);
                var sent = await transaction.SendAsync(connection.Client, first, returnDomain, [.. message], load.Data[message.Key], load.Keys.GetValueOrDefault(first.ServiceId), ct);
                connection.Sent++;
                results.AddRange(message.Select(r => outcomes.Replied(r, new SmtpReply(sent[r.Id].Code, sent[r.Id].Text), path.SourceIp, path.Provider)));
                if (path.Learn(tenant, sent.Values))
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

        // While the batch waits for its turn the session goes back to the pool (the next message rents it again, with a
        // NOOP that proves it alive), so no session idles at the ISP on our account or dies unnoticed.
        async Task ParkAsync()
        {
            if (connection is null) return;
            await sessions.ReturnAsync(connection, reusable: connection.Sent < Options.MessagesPerConnection);
            connection = null;
        }

        // Bulk, while transactional mail waits on the path: its session goes to the pool (the transactional batch may
        // rent it) and its destination slot to the transactional batch; both are taken again once that has its turn.
        async Task GiveWayAsync()
        {
            await ParkAsync();
            gate.Release();
            holdingGate = false;
            await Task.WhenAny(path.Demand.Cleared(), Task.Delay(Max(deadline - time.GetUtcNow(), TimeSpan.Zero), time, ct));
            await gate.WaitAsync(isTransactional: false, ct);
            holdingGate = true;
        }
    }

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
