using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Feedback;
using ProMTA.Delivery.Outbound.Dkim;
using ProMTA.Delivery.Outbound.Smtp;
using ProMTA.Delivery.Reputation;
using ProMTA.ServiceDefaults.Data;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Shaping;
using BounceClass = ProMTA.MailPolicy.Replies.BounceClass;
using DeliveryOutcome = ProMTA.MailPolicy.Replies.DeliveryOutcome;
using ReplyClass = ProMTA.MailPolicy.Replies.ReplyClass;
using ThrottleReply = ProMTA.MailPolicy.Replies.SmtpReply;

namespace ProMTA.Delivery.Outbound;

/// <summary>
/// Claims due recipients, groups them by recipient domain and source IP, and delivers each group over as few
/// connections as possible (several messages per connection, a bounded number of connections per destination),
/// from the service's dedicated IPs. 2xx delivered, 4xx deferred with jittered backoff until the lifetime ends, 5xx bounced.
/// </summary>
internal sealed partial class DeliveryWorker(
    Database db, MxResolver resolver, MxConnector connector, SmtpConnectionPool pool, RawDkimSigner signer, VerpAddresses verp, ThrottleController throttle,
    ThrottleStateSync throttleState, IOptions<OutboundOptions> options, TimeProvider time, DeliveryMetrics metrics, MigrationState migrations,
    BlockedSources blocked, IOptions<ReputationOptions> reputation, ILogger<DeliveryWorker> log) : BackgroundService
{
    /// <summary>The throttling lane of a service without dedicated IPs (the host's default route).</summary>
    internal const string DefaultLane = "default-route";

    /// <summary>How long a message waits when its lane has no connection to spare.</summary>
    private static readonly TimeSpan ConnectionWait = TimeSpan.FromSeconds(1);

    /// <summary>Held messages are lined up over this long at twice the lane's rate: one growth step of the controller.</summary>
    private static readonly TimeSpan SpreadHorizon = TimeSpan.FromSeconds(5);

    /// <summary>The held messages beyond the horizon are scattered over this long after it.</summary>
    private static readonly TimeSpan SpreadBeyond = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<IPAddress, SemaphoreSlim> destinations = new();

    private OutboundOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Completed.WaitAsync(stoppingToken);
        // PostgreSQL may be restarting just after the migrations ran: wait for it, for a throw here would stop the whole
        // host (BackgroundServiceExceptionBehavior.StopHost) with exit code 0, which nothing restarts (seen in the fault run).
        await StartupRetry.RunAsync(throttleState.RestoreAsync, "Restoring the throttle lanes", log, stoppingToken);
        // Several claim loops side by side (SKIP LOCKED keeps their batches apart): while one waits for its slowest
        // destination, the others keep every connection busy, so no batch boundary leaves the pipes idle.
        var loops = Enumerable.Range(0, Math.Max(1, Options.Workers)).Select(_ => ClaimLoopAsync(stoppingToken)).ToList();
        loops.Add(EveryAsync(TimeSpan.FromSeconds(1), () => pool.CloseIdleAsync(Options.ConnectionIdleTimeout), stoppingToken));
        loops.Add(EveryAsync(Options.ThrottleStateInterval, () => throttleState.SyncAsync(CancellationToken.None), stoppingToken));
        try
        {
            await Task.WhenAll(loops);
        }
        finally
        {
            await pool.DisposeAsync();
            // What the lanes learned since the last save is kept for the next start.
            await throttleState.SyncAsync(CancellationToken.None);
        }
    }

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await MessageQueue.ClaimAsync(db, time.GetUtcNow(), Options.Lease, Options.BatchSize, stoppingToken);
                if (claimed.Count == 0)
                {
                    await Task.Delay(Options.PollInterval, time, stoppingToken);
                    continue;
                }
                // Listed after it was queued (a complaint about an earlier message): dropped, not sent; the sender is told.
                if (claimed.Any(r => r.Suppressed))
                {
                    await MessageQueue.CompleteAsync(db, [.. claimed.Where(r => r.Suppressed).Select(Dropped)], time.GetUtcNow(), stoppingToken);
                    claimed = [.. claimed.Where(r => !r.Suppressed)];
                }
                claimed = await HoldListedAsync(claimed, stoppingToken);
                if (claimed.Count == 0) continue;
                // Routes first: the MX host decides the provider the controller shapes a destination as.
                var routes = await ResolveAsync(claimed.Select(r => r.Domain).Distinct(StringComparer.OrdinalIgnoreCase), stoppingToken);
                // A destination's share of the batch is split over the connections it may have (whole messages per part),
                // so a large backlog for one domain is not sent down a single connection.
                var groups = claimed.GroupBy(r => (r.Domain, SourceIp: SourceIpFor(r)))
                    .SelectMany(g => Split(g, ConnectionsFor(g.Key.SourceIp, ProviderOf(g.First(), routes[g.Key.Domain]), g.First())))
                    .ToList();
                var places = new ConcurrentDictionary<(string Lane, string Provider), int>();
                await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConnections, CancellationToken = stoppingToken },
                    async (group, ct) =>
                    {
                        Dictionary<long, (int Code, string Text)> replies;
                        var holds = new Dictionary<long, DateTimeOffset>();
                        var route = routes[group.Key.Domain];
                        var provider = ProviderOf(group.First(), route);
                        try
                        {
                            replies = await DeliverAsync(group.Key.Domain, route, provider, group.Key.SourceIp, [.. group], holds, ct);
                        }
                        catch (Exception ex) when (!ct.IsCancellationRequested)
                        {
                            // One destination's surprise must not hold its recipients for a whole lease: retry them.
                            LogGroupFailed(ex, group.Key.Domain);
                            replies = group.ToDictionary(r => r.Id, _ => (451, $"4.3.0 Local error delivering to {group.Key.Domain}"));
                        }
                        holds = Spread(group, group.Key.SourceIp, provider, holds, places);
                        await MessageQueue.CompleteAsync(db, [.. group.Select(r => holds.TryGetValue(r.Id, out var until)
                            ? Held(r, until, group.Key.SourceIp, provider)
                            : Result(r, replies[r.Id], group.Key.SourceIp, provider))], time.GetUtcNow(), ct);
                    });
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The claimed recipients come back when their lease ends; keep the worker alive.
                LogLoopFailed(ex);
                await Task.Delay(Options.PollInterval, time, stoppingToken);
            }
        }
    }

    /// <summary>The route of every domain of a batch, looked up side by side (the resolver caches answers per TTL).</summary>
    private async Task<Dictionary<string, Route>> ResolveAsync(IEnumerable<string> domains, CancellationToken ct)
    {
        var lookups = domains.Select(async domain =>
        {
            try
            {
                return (Domain: domain, Route: await resolver.ResolveAsync(domain, ct));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // One domain's lookup failing (a resolver timeout) defers its recipients, not the whole batch.
                return (Domain: domain, Route: Route.Failed($"4.4.3 DNS lookup of {domain} failed: {ex.Message}", permanent: false));
            }
        });
        return (await Task.WhenAll(lookups)).ToDictionary(x => x.Domain, x => x.Route, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The provider a destination is shaped as: by its MX host, else by its domain (<see cref="MailPolicy.Providers.ProviderCatalog.ShapedAs"/>).</summary>
    private string ProviderOf(ClaimedRecipient first, Route route) =>
        throttle.Providers.ShapedAs(first.Provider, route.Targets.Count > 0 ? route.Targets[0].Host : null);

    private async Task EveryAsync(TimeSpan interval, Func<Task> work, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
                await work();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Housekeeping failing once (a database hiccup) must not stop delivery; the next round tries again.
                LogHousekeepingFailed(ex);
            }
        }
    }

    /// <summary>
    /// Recipients our pacing hands back would all come due at the lane's next token and be claimed again and again
    /// (every claim and every hand-back a row update). Instead the n-th held message of a lane in this batch waits for
    /// its turn at twice the lane's current rate (room for the rate to grow meanwhile) over the next
    /// <see cref="SpreadHorizon"/>; the rest is scattered over the <see cref="SpreadBeyond"/> after it.
    /// </summary>
    private Dictionary<long, DateTimeOffset> Spread(
        IEnumerable<ClaimedRecipient> group, string? sourceIp, string provider, Dictionary<long, DateTimeOffset> holds,
        ConcurrentDictionary<(string, string), int> places)
    {
        if (holds.Count == 0) return holds;
        var first = group.First();
        var lane = sourceIp ?? DefaultLane;
        var step = throttle.SendInterval(lane, provider, first.ServiceId.ToString(), time.GetUtcNow()) / 2;
        var spread = new Dictionary<long, DateTimeOffset>();
        foreach (var message in group.Where(r => holds.ContainsKey(r.Id)).GroupBy(r => r.MessageId))
        {
            var offset = step * places.AddOrUpdate((lane, provider), 0, (_, n) => n + 1);
            if (offset > SpreadHorizon) offset = SpreadHorizon + SpreadBeyond * Random.Shared.NextDouble();
            foreach (var r in message) spread[r.Id] = holds[r.Id] + offset;
        }
        return spread;
    }

    /// <summary>How many connections a destination's share of a batch is spread over: the lane's allowance, within our cap.</summary>
    private int ConnectionsFor(string? sourceIp, string provider, ClaimedRecipient first)
    {
        if (Options.BypassThrottling) return Options.MaxConnectionsPerDestination;
        var allowed = throttle.AllowedConnections(sourceIp ?? DefaultLane, provider, first.ServiceId.ToString(), time.GetUtcNow());
        return Math.Clamp(allowed, 1, Options.MaxConnectionsPerDestination);
    }

    private static IEnumerable<IGrouping<(string Domain, string? SourceIp), ClaimedRecipient>> Split(
        IGrouping<(string Domain, string? SourceIp), ClaimedRecipient> group, int parts)
    {
        var messages = group.GroupBy(r => r.MessageId).ToList();
        parts = Math.Clamp(parts, 1, messages.Count);
        return messages.Select((m, i) => (Part: i % parts, Message: m))
            .GroupBy(x => x.Part, x => x.Message)
            .Select(part => new Part(group.Key, [.. part.SelectMany(m => m)]));
    }

    private sealed class Part((string Domain, string? SourceIp) key, List<ClaimedRecipient> recipients) : IGrouping<(string Domain, string? SourceIp), ClaimedRecipient>
    {
        public (string Domain, string? SourceIp) Key => key;
        public IEnumerator<ClaimedRecipient> GetEnumerator() => recipients.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// One of the service's dedicated IPs, the same for a destination every time (ISPs build reputation per IP), among
    /// those no blocklist lists for the recipient's provider: a listed IP's mail moves to the service's other IPs.
    /// </summary>
    private string? SourceIpFor(ClaimedRecipient r)
    {
        var usable = blocked.Usable(r.SourceIps, r.Provider);
        if (usable.Length == 0) return null;
        var hash = 2166136261u;
        foreach (var c in r.Domain) hash = (hash ^ c) * 16777619u;
        return usable[hash % (uint)usable.Length];
    }

    /// <summary>
    /// Recipients whose every source IP a blocklist lists for their provider are handed back until the next watch cycle
    /// (not an attempt: no ISP was asked); the rest goes on.
    /// </summary>
    private async Task<IReadOnlyList<ClaimedRecipient>> HoldListedAsync(IReadOnlyList<ClaimedRecipient> claimed, CancellationToken ct)
    {
        var listedOut = claimed.Where(r => r.SourceIps.Length > 0 && blocked.Usable(r.SourceIps, r.Provider).Length == 0).ToList();
        if (listedOut.Count == 0) return claimed;
        var now = time.GetUtcNow();
        await MessageQueue.CompleteAsync(db, [.. listedOut.Select(r => new RecipientResult(r.Id, "Queued",
            $"held: {string.Join(", ", r.SourceIps)} listed by {string.Join(", ", r.SourceIps.SelectMany(ip => blocked.ZonesBlocking(ip, r.Provider)).Distinct())}; sent when delisted",
            null, false, now + reputation.Value.Interval))], now, ct);
        return [.. claimed.Except(listedOut)];
    }

    /// <summary>
    /// Delivers one group over one session (pooled when a healthy one is idle); a message the throttling controller does
    /// not allow yet goes into <paramref name="holds"/> with the time it may be sent (our own pacing, not an ISP's
    /// answer: no deferral is counted).
    /// </summary>
    private async Task<Dictionary<long, (int Code, string Text)>> DeliverAsync(
        string domain, Route route, string provider, string? sourceIp, List<ClaimedRecipient> recipients, Dictionary<long, DateTimeOffset> holds,
        CancellationToken ct)
    {
        var replies = new Dictionary<long, (int Code, string Text)>();
        if (route.Error is not null)
        {
            foreach (var r in recipients) replies[r.Id] = (route.Permanent ? 550 : 451, route.Error);
            return replies;
        }
        var data = await MessageQueue.LoadDataAsync(db, recipients.Select(r => r.MessageId).Distinct(), ct);
        var keys = await DkimKeys.CurrentAsync(db, recipients.Select(r => r.ServiceId).Distinct(), ct);
        var hosted = verp.Enabled ? await HostedDomains.OfServicesAsync(db, recipients.Select(r => r.ServiceId).Distinct(), ct) : null;
        var gate = destinations.GetOrAdd(route.Targets[0].EndPoint.Address, _ => new SemaphoreSlim(Options.MaxConnectionsPerDestination));
        await gate.WaitAsync(ct);
        PooledConnection? connection = null;
        (int Code, string Text)? stop = null;
        try
        {
            DateTimeOffset? noConnectionUntil = null;
            DateTimeOffset? pushedBackUntil = null;
            var lane = sourceIp ?? DefaultLane;
            foreach (var message in recipients.GroupBy(r => r.MessageId))
            {
                var first = message.First();
                var tenant = first.ServiceId.ToString();
                throttle.SetRelayMode(tenant, first.RelayMode == "unmanaged" ? RelayMode.Unmanaged : RelayMode.Managed);
                if (pushedBackUntil is { } pushedBack)
                {
                    // The ISP asked us to slow down: the rest of the group was never offered to it, so it is handed
                    // back (no attempt, no deferral) and goes again at the controller's new, lower pace.
                    foreach (var r in message) holds[r.Id] = pushedBack;
                    continue;
                }
                if (stop is null && noConnectionUntil is null && !Options.BypassThrottling
                    && throttle.TryAcquire(lane, provider, tenant, time.GetUtcNow()) is { Allowed: false } decision)
                {
                    foreach (var r in message) holds[r.Id] = decision.NextSendTime;
                    continue;
                }
                if (stop is null && noConnectionUntil is null && (connection is null || !connection.Client.IsConnected || connection.Sent >= Options.MessagesPerConnection))
                {
                    if (connection is not null) await pool.ReturnAsync(connection, reusable: false);
                    var helo = SourceHostnames.For(sourceIp, first.SourceIps, first.SourceHostnames, Options.HeloName);
                    (connection, stop, noConnectionUntil) = await OpenAsync(domain, route, sourceIp, helo, lane, provider, tenant, ct);
                }
                if (noConnectionUntil is { } wait)
                {
                    // The lane's connections are all in use: our pacing again, the message waits in the queue.
                    foreach (var r in message) holds[r.Id] = wait;
                    continue;
                }
                if (stop is { } || connection is null)
                {
                    foreach (var r in message) replies[r.Id] = stop ?? (451, "4.4.1 Not connected");
                    continue;
                }
                var returnDomain = hosted is null ? null : ReturnDomain(first.MailFrom, hosted[first.ServiceId]);
                var sent = await SendAsync(connection.Client, first, returnDomain, [.. message], data[message.Key], keys.GetValueOrDefault(first.ServiceId), ct);
                connection.Sent++;
                foreach (var (id, answer) in sent) replies[id] = answer;
                // The controller learns from every distinct answer to this message (acceptance, deferral, refusal).
                var slowDown = false;
                foreach (var answer in sent.Values.Distinct())
                {
                    var replyClass = throttle.Record(lane, provider, tenant, new ThrottleReply(answer.Code, answer.Text), time.GetUtcNow()).Class;
                    slowDown |= replyClass is ReplyClass.RateLimited or ReplyClass.Reputation || answer.Code == 421;
                }
                if (slowDown)
                {
                    // A rate-limit or reputation answer (or any 421) ends this session, closing or not (Outlook's
                    // 451 4.7.650 keeps it open): sending on would only collect more refusals, one per message.
                    await pool.ReturnAsync(connection, reusable: false);
                    connection = null;
                    pushedBackUntil = throttle.NextSendTime(lane, provider, tenant, time.GetUtcNow());
                }
            }
        }
        finally
        {
            if (connection is not null) await pool.ReturnAsync(connection, reusable: stop is null && connection.Sent < Options.MessagesPerConnection);
            gate.Release();
        }
        return replies;
    }

    /// <summary>
    /// A session for this lane: an idle pooled one, else a new one when the controller allows one more connection
    /// (otherwise the time to try again), else the reason none could be opened (which teaches the controller too).
    /// </summary>
    private async Task<(PooledConnection?, (int, string)?, DateTimeOffset?)> OpenAsync(
        string domain, Route route, string? sourceIp, string helo, string lane, string provider, string tenant, CancellationToken ct)
    {
        foreach (var target in route.Targets)
        {
            if (await pool.RentAsync(new SmtpConnectionPool.Key(target.EndPoint, sourceIp, provider), ct) is { } pooled) return (pooled, null, null);
        }
        var permitted = !Options.BypassThrottling;
        if (permitted && !throttle.TryOpenConnection(lane, provider, tenant, time.GetUtcNow()))
        {
            return (null, null, time.GetUtcNow() + ConnectionWait);
        }
        var session = await connector.ConnectAsync(domain, route, sourceIp, helo, ct);
        if (session is not { Client: { } client, Target: { } connectedTo })
        {
            if (permitted) throttle.CloseConnection(lane, provider);
            throttle.Record(lane, provider, tenant, session.Answered
                ? new ThrottleReply(session.Failure.Code, session.Failure.Text)
                : ThrottleReply.ConnectionFailed(session.Failure.Text), time.GetUtcNow());
            return (null, session.Failure, null);
        }
        return (new PooledConnection(client, new SmtpConnectionPool.Key(connectedTo.EndPoint, sourceIp, provider),
            permitted ? () => throttle.CloseConnection(lane, provider) : null), null, null);
    }

    /// <summary>
    /// The hosted domain (our MX receives its mail) that a VERP return path for this sender lives on: the sender's own
    /// domain or the hosted one it is below; null for the null reverse path (reports never get one) or when the service
    /// hosts none of it (the customer's MAIL FROM is kept).
    /// </summary>
    private static string? ReturnDomain(string mailFrom, IEnumerable<string> hosted)
    {
        if (!MailboxAddress.TryParse(mailFrom, out var from) || ServiceDefaults.Domains.DomainName.Normalize(from.Domain) is not { } domain) return null;
        return hosted.Where(h => ServiceDefaults.Domains.DomainName.IsSelfOrBelow(domain, h)).MaxBy(h => h.Length);
    }

    /// <summary>
    /// Sends one message to its recipients at this destination. With a <paramref name="returnDomain"/>, each recipient
    /// gets a transaction of its own with its VERP return path and token header (a late bounce or a complaint then names
    /// its recipient); otherwise one transaction carries them all under the customer's MAIL FROM. The stored bytes go
    /// out as they are (<see cref="OutgoingMessage"/>), signed once per message over exactly those bytes.
    /// </summary>
    private async Task<Dictionary<long, (int Code, string Text)>> SendAsync(
        SmtpSession client, ClaimedRecipient first, string? returnDomain, List<ClaimedRecipient> recipients, byte[] data, DkimKeySet? keys,
        CancellationToken ct)
    {
        var answers = new Dictionary<long, (int Code, string Text)>();
        var addresses = new Dictionary<long, string>();
        foreach (var r in recipients)
        {
            if (MailboxAddress.TryParse(r.Address, out var address)) addresses[r.Id] = address.Address;
            else answers[r.Id] = (553, "5.1.3 Invalid recipient address");
        }
        if (addresses.Count == 0) return answers;
        var message = OutgoingMessage.From(data, $"{(first.MailFrom.Length == 0 ? "report" : "mail")}:{first.ServiceId:N}:promta");
        if (message.EightBit && !client.Capabilities.EightBitMime)
        {
            try
            {
                // RFC 6152: no 8-bit data to a server that does not offer 8BITMIME. Re-encoded before signing, so the
                // signature covers what is sent (docs/delivery.md, "8-bit mail").
                message = message.SevenBit();
            }
            catch (FormatException ex)
            {
                foreach (var id in addresses.Keys) answers[id] = (451, $"4.6.0 Message could not be converted to 7 bit: {ex.Message}");
                return answers;
            }
        }
        var signature = signer.Sign(message.Block, keys);
        if (returnDomain is null)
        {
            var sender = MailboxAddress.TryParse(first.MailFrom, out var from) ? from.Address : "";
            var replies = await client.SendAsync(sender, [.. addresses.Values], Parts(null, signature, message), message.EightBit, ct);
            foreach (var ((id, _), reply) in addresses.Zip(replies)) answers[id] = reply.AsTuple();
            return answers;
        }
        (int Code, string Text)? lost = null;
        foreach (var (id, address) in addresses)
        {
            if (lost is { } gone)
            {
                answers[id] = gone;
                continue;
            }
            // In front of the signature and outside h=, so the token (different per recipient) costs one signing per message.
            var token = System.Text.Encoding.ASCII.GetBytes($"{VerpAddresses.Header}: {verp.Token(id)}\r\n");
            var reply = (await client.SendAsync(verp.ReturnPath(id, returnDomain), [address], Parts(token, signature, message), message.EightBit, ct))[0];
            answers[id] = reply.AsTuple();
            if (!client.IsConnected) lost = reply.Positive ? (451, "4.4.2 Connection lost") : reply.AsTuple();
        }
        return answers;
    }

    /// <summary>What DATA carries: the recipient's token field, the DKIM-Signature field, the message.</summary>
    private static ReadOnlyMemory<byte>[] Parts(byte[]? token, byte[]? signature, OutgoingMessage message) =>
        [.. new[] { token, signature, message.Bytes }.OfType<byte[]>().Select(p => (ReadOnlyMemory<byte>)p)];

    private RecipientResult Dropped(ClaimedRecipient r) =>
        new(r.Id, "Bounced", "550 5.1.1 Recipient suppressed after this message was queued (a bounce or complaint about an earlier message); not sent",
            null, false, time.GetUtcNow(), BounceClass.Policy, DeliveryEvent.Suppressed);

    /// <summary>
    /// Handed back by our own pacing. The first hold of an episode is a paced event (the customer sees we hold mail
    /// back, and why); the holds that follow until the next real attempt write none, so a long hold of a large queue
    /// costs one event per recipient, not one per claim.
    /// </summary>
    private RecipientResult Held(ClaimedRecipient r, DateTimeOffset until, string? sourceIp, string provider) =>
        new(r.Id, "Queued", $"held by adaptive throttling for the {provider} lane from {sourceIp ?? DefaultLane} until {until:u}", sourceIp, false, until,
            Event: r.Paced ? null : DeliveryEvent.Paced);

    private RecipientResult Result(ClaimedRecipient r, (int Code, string Text) reply, string? sourceIp, string provider)
    {
        var now = time.GetUtcNow();
        var text = $"{reply.Code} {reply.Text}".Trim();
        var answer = new ThrottleReply(reply.Code, reply.Text);
        var outcome = answer.Outcome;
        metrics.Attempted(r.Provider, outcome.ToString());
        LogAttempt(r.Address, sourceIp, text, outcome);
        if (outcome != DeliveryOutcome.Deferred)
        {
            return outcome == DeliveryOutcome.Delivered
                ? new RecipientResult(r.Id, "Delivered", text, sourceIp, false, now, Event: DeliveryEvent.Delivered)
                : new RecipientResult(r.Id, "Bounced", text, sourceIp, false, now, throttle.Classify(answer, provider).Bounce, DeliveryEvent.Bounced);
        }
        var next = now + Options.Retry.After(r.Attempts, Random.Shared.NextDouble());
        // Expired keeps the Bounced status (the statistics' bounced count) but is its own event and bounce class.
        return next > r.ExpiresAt
            ? new RecipientResult(r.Id, "Bounced", $"{text} (no delivery within {Options.MessageLifetime})", sourceIp, true, now, BounceClass.Expired, DeliveryEvent.Expired)
            : new RecipientResult(r.Id, "Queued", text, sourceIp, true, next, Event: DeliveryEvent.Deferred);
    }

    [LoggerMessage(LogLevel.Information, "Delivery to {Recipient} from {SourceIp}: {Reply} ({Outcome})")]
    private partial void LogAttempt(string recipient, string? sourceIp, string reply, DeliveryOutcome outcome);

    [LoggerMessage(LogLevel.Error, "Delivering to {Domain} failed; its recipients are deferred")]
    private partial void LogGroupFailed(Exception ex, string domain);

    [LoggerMessage(LogLevel.Warning, "Outbound housekeeping (idle connections, throttling state) failed; retrying")]
    private partial void LogHousekeepingFailed(Exception ex);

    [LoggerMessage(LogLevel.Error, "Delivery loop failed; retrying")]
    private partial void LogLoopFailed(Exception ex);
}
