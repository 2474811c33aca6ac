using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using ProMTA.FakeIsp.Limits;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace ProMTA.FakeIsp;

/// <summary>
/// What a fake MX saw. <see cref="OfferedAfterThrottle"/> counts messages a sender still offered on a session after
/// it was throttled in that session (a sender that listens closes the session instead).
/// </summary>
public sealed record FakeMxCounters(
    string Name, string Domain, string Address, long Connections, long Accepted, long Throttled, long Greylisted,
    long UnknownUsers, long RejectedAsSpam, IReadOnlyDictionary<string, long> ClientIps, long OfferedAfterThrottle = 0, long AsyncBounces = 0,
    long Complaints = 0, long ComplaintBlocks = 0, long RefusedWhileBlocked = 0);

/// <summary>
/// What one sender (envelope sender's domain x client IP) got at this ISP: the complaints and late bounces it drew and
/// the attempts refused while its IP was blocked for complaints.
/// </summary>
public sealed record SenderCounters(
    string Domain, string SourceIp, long Accepted, long Complaints, long AsyncBounces, long RefusedWhileBlocked, DateTimeOffset? FirstComplaintAt);

/// <summary>A sending IP blocked for complaints: when, until when, and the window's counts that crossed the line.</summary>
public sealed record ComplaintBlockEpisode(string SourceIp, DateTimeOffset At, DateTimeOffset Until, long Messages, long Complaints);

/// <summary>One accepted message as it arrived, with the name its sender greeted with (EHLO/HELO).</summary>
public sealed record ReceivedMessage(string ClientIp, string From, IReadOnlyList<string> To, int Size, byte[] Data, string? Helo = null);

/// <summary>One fake receiving MX on its own address: real SMTP, with the provider's limits and replies.</summary>
public sealed class FakeMx : IMailboxFilter, IMessageStore, IAsyncDisposable
{
    private readonly FakeProviderOptions provider;
    private readonly ReportSender? reports;
    private readonly IReadOnlyList<SenderProfile> senders;
    private readonly ConcurrentDictionary<string, ComplaintBlock> blocks = new();
    private readonly ConcurrentQueue<ComplaintBlockEpisode> episodes = new();
    private readonly ConcurrentDictionary<(string Domain, string Ip), SenderTally> senderTallies = new();
    private readonly SmtpServer.SmtpServer server;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<string, long> clientIps = new();
    private readonly ConcurrentDictionary<string, int> attempts = new(StringComparer.OrdinalIgnoreCase);
    private const string HeloKey = "fake-isp:helo";
    private readonly ConcurrentQueue<ReceivedMessage> received = new();
    private readonly ConcurrentDictionary<string, HiddenRateLimit> limits = new();
    private readonly Timeline timeline = new();
    private const string ThrottledSession = "FakeIsp.Throttled";
    private long connections, closed, accepted, throttled, greylisted, unknown, spam, offeredAfterThrottle, asyncBounces, complaints, refusedWhileBlocked;
    private Task running = Task.CompletedTask;

    /// <param name="reports">Where bounces and complaints go back (<see cref="FakeProviderOptions.AsyncBounceRate"/>); none without it.</param>
    /// <param name="senders">Senders with shares of their own (<see cref="FakeIspOptions.Senders"/>).</param>
    public FakeMx(FakeProviderOptions provider, int port, ReportSender? reports = null, IReadOnlyList<SenderProfile>? senders = null)
    {
        this.provider = provider;
        this.reports = reports;
        this.senders = senders ?? [];
        var options = new SmtpServerOptionsBuilder()
            .ServerName($"mx.{provider.Domain}")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Parse(provider.Address), port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add((IMailboxFilter)this);
        services.Add((IMessageStore)this);
        server = new SmtpServer.SmtpServer(options, services);
        server.SessionCreated += (_, e) =>
        {
            Interlocked.Increment(ref connections);
            // Real receivers compare the greeting with the client IP's PTR name: keep it to show what a sender said.
            e.Context.CommandExecuting += (_, c) =>
            {
                if (c.Command is EhloCommand ehlo) e.Context.Properties[HeloKey] = ehlo.DomainOrAddress;
                else if (c.Command is HeloCommand helo) e.Context.Properties[HeloKey] = helo.DomainOrAddress;
            };
        };
        server.SessionCompleted += (_, _) => Interlocked.Increment(ref closed);
        server.SessionFaulted += (_, _) => Interlocked.Increment(ref closed);
        server.SessionCancelled += (_, _) => Interlocked.Increment(ref closed);
    }

    public FakeProviderOptions Provider => provider;

    public IReadOnlyCollection<ReceivedMessage> Received => received;

    /// <summary>Accepted and throttled recipients per second.</summary>
    public Timeline Timeline => timeline;

    /// <summary>SMTP sessions open right now (a sender's connection reuse shows here).</summary>
    public long OpenSessions => Interlocked.Read(ref connections) - Interlocked.Read(ref closed);

    public void Start() => running = server.StartAsync(stop.Token);

    public FakeMxCounters Counters() => new(provider.Name, provider.Domain, provider.Address,
        Interlocked.Read(ref connections), Interlocked.Read(ref accepted), Interlocked.Read(ref throttled), Interlocked.Read(ref greylisted),
        Interlocked.Read(ref unknown), Interlocked.Read(ref spam), new Dictionary<string, long>(clientIps), Interlocked.Read(ref offeredAfterThrottle),
        Interlocked.Read(ref asyncBounces), Interlocked.Read(ref complaints), episodes.Count, Interlocked.Read(ref refusedWhileBlocked));

    /// <summary>Per envelope sender's domain and client IP: what each sender drew here.</summary>
    public IReadOnlyList<SenderCounters> Senders() =>
        [.. senderTallies.OrderBy(t => t.Key.Domain).ThenBy(t => t.Key.Ip).Select(t => t.Value.Counters(t.Key.Domain, t.Key.Ip))];

    /// <summary>Every block for complaints so far, oldest first.</summary>
    public IReadOnlyList<ComplaintBlockEpisode> ComplaintBlocks() => [.. episodes];

    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
    {
        clientIps.AddOrUpdate(ClientIp(context), 1, (_, n) => n + 1);
        if (context.Properties.ContainsKey(ThrottledSession)) Interlocked.Increment(ref offeredAfterThrottle);
        return Task.FromResult(true);
    }

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        var address = to.AsAddress();
        var clientIp = ClientIp(context);
        // A blocked IP hears the block before anything about the recipient, as at the real ISPs.
        if (blocks.TryGetValue(clientIp, out var block) && BlockedNow(block))
        {
            Interlocked.Increment(ref refusedWhileBlocked);
            Interlocked.Increment(ref Tally(SenderDomain(from.AsAddress()), clientIp).RefusedWhileBlocked);
            var reply = provider.ComplaintBlock.Reply.Replace("{ip}", clientIp, StringComparison.Ordinal);
            throw Reply(reply, quit: reply.StartsWith("421", StringComparison.Ordinal));
        }
        if (to.User.StartsWith("unknown", StringComparison.OrdinalIgnoreCase) || Share(address) < provider.UnknownUserRate)
        {
            Interlocked.Increment(ref unknown);
            throw Reply("550 5.1.1 The email account that you tried to reach does not exist.");
        }
        if (attempts.AddOrUpdate(address, 1, (_, n) => n + 1) <= provider.GreylistAttempts)
        {
            Interlocked.Increment(ref greylisted);
            throw Reply("451 4.7.1 Greylisted, please try again later");
        }
        if (!WithinRateLimit(ClientIp(context)))
        {
            Interlocked.Increment(ref throttled);
            timeline.Throttled();
            context.Properties[ThrottledSession] = true;
            // A 421 ends the session, as the real ones do.
            throw Reply(provider.ThrottleReply, quit: provider.ThrottleReply.StartsWith("421", StringComparison.Ordinal));
        }
        return Task.FromResult(true);
    }

    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        if (provider.DataReplyDelay > TimeSpan.Zero) await Task.Delay(provider.DataReplyDelay, cancellationToken);
        if (Random.Shared.NextDouble() >= provider.AcceptanceRate)
        {
            Interlocked.Add(ref spam, transaction.To.Count);
            return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.7.1 Message rejected as spam by content filtering");
        }
        Interlocked.Add(ref accepted, transaction.To.Count);
        timeline.Accepted(transaction.To.Count);
        received.Enqueue(new ReceivedMessage(ClientIp(context), transaction.From.AsAddress(), [.. transaction.To.Select(t => t.AsAddress())], (int)buffer.Length, buffer.ToArray(),
            context.Properties.TryGetValue(HeloKey, out var helo) ? helo as string : null));
        while (received.Count > 1000) received.TryDequeue(out _);
        Judge(transaction, buffer, ClientIp(context));
        return new SmtpResponse(SmtpReplyCode.Ok, $"2.0.0 OK {Guid.NewGuid():N} - {provider.Name.ToLowerInvariant()}");
    }

    /// <summary>
    /// Accepted is not delivered: some recipients bounce later and some complain (at the sender's profile's shares, else
    /// the provider's), the ISP counts the complaint against the sending IP at once (and may block it), and tells the
    /// sender's domain by mail. Nothing goes back for mail with a null reverse path (a bounce is not bounced).
    /// </summary>
    private void Judge(IMessageTransaction transaction, ReadOnlySequence<byte> buffer, string clientIp)
    {
        var sender = transaction.From.AsAddress() ?? "";
        var domain = SenderDomain(sender);
        var profile = senders.FirstOrDefault(p => p.Matches(domain, clientIp));
        var complaintRate = profile?.ComplaintRate ?? provider.ComplaintRate;
        var bounceRate = profile?.AsyncBounceRate ?? provider.AsyncBounceRate;
        var recipients = transaction.To.Select(t => t.AsAddress()).ToList();
        var reportable = sender.Contains('@');
        var bounced = !reportable ? [] : recipients.Where(r => r.StartsWith("asyncbounce", StringComparison.OrdinalIgnoreCase)
            || (bounceRate > 0 && Share("async:" + r) < bounceRate)).ToList();
        // Whether a reader complains is a property of the reader (a stable share per address), so a run is repeatable.
        var complainant = !reportable ? null : recipients.FirstOrDefault(r => r.StartsWith("complain", StringComparison.OrdinalIgnoreCase))
            ?? (complaintRate > 0 ? recipients.Except(bounced).FirstOrDefault(r => Share("complaint:" + r) < complaintRate) : null);
        var now = DateTimeOffset.UtcNow;
        var tally = Tally(domain, clientIp);
        Interlocked.Add(ref tally.Accepted, recipients.Count);
        Interlocked.Add(ref tally.AsyncBounces, bounced.Count);
        if (complainant is not null) tally.Complained(now);
        CountForBlock(clientIp, recipients.Count, complainant is not null, now);
        if (bounced.Count == 0 && complainant is null) return;
        Interlocked.Add(ref asyncBounces, bounced.Count);
        if (complainant is not null) Interlocked.Increment(ref complaints);
        if (reports is null) return;
        var original = MimeMessage.Load(new MemoryStream(buffer.ToArray(), writable: false));
        var due = now + reports.Delay;
        foreach (var recipient in bounced)
        {
            reports.Enqueue(new OutgoingReport("bounce", "", sender, IspReports.Bounce(provider.Domain, sender, recipient, original, now), due));
        }
        if (complainant is not null)
        {
            var report = IspReports.Complaint(provider.Domain, sender, complainant, clientIp, original, now);
            reports.Enqueue(new OutgoingReport("complaint", $"fbl@{provider.Domain}", report.To.Mailboxes.Single().Address, report, due));
        }
    }

    /// <summary>Each delivered recipient counts towards the IP's complaint share (<see cref="ComplaintBlock"/>); the complaint counts once.</summary>
    private void CountForBlock(string clientIp, int delivered, bool complained, DateTimeOffset now)
    {
        if (provider.ComplaintBlock.Rate <= 0) return;
        var block = blocks.GetOrAdd(clientIp, _ => new ComplaintBlock(provider.ComplaintBlock));
        lock (block)
        {
            for (var i = 0; i < delivered; i++)
            {
                if (!block.Delivered(complained && i == 0, now)) continue;
                var (messages, count) = block.Window;
                episodes.Enqueue(new ComplaintBlockEpisode(clientIp, now, block.BlockedUntil, messages, count));
            }
        }
    }

    private static bool BlockedNow(ComplaintBlock block)
    {
        lock (block) return block.IsBlocked(DateTimeOffset.UtcNow);
    }

    private SenderTally Tally(string domain, string clientIp) => senderTallies.GetOrAdd((domain, clientIp), _ => new SenderTally());

    private static string SenderDomain(string? sender) => sender is { } s && s.LastIndexOf('@') is var at and >= 0 ? s[(at + 1)..].ToLowerInvariant() : "";

    private sealed class SenderTally
    {
        public long Accepted, Complaints, AsyncBounces, RefusedWhileBlocked;
        private long firstComplaintTicks;

        public void Complained(DateTimeOffset now)
        {
            Interlocked.Increment(ref Complaints);
            Interlocked.CompareExchange(ref firstComplaintTicks, now.UtcTicks, 0);
        }

        public SenderCounters Counters(string domain, string ip)
        {
            var first = Interlocked.Read(ref firstComplaintTicks);
            return new(domain, ip, Interlocked.Read(ref Accepted), Interlocked.Read(ref Complaints), Interlocked.Read(ref AsyncBounces),
                Interlocked.Read(ref RefusedWhileBlocked), first == 0 ? null : new DateTimeOffset(first, TimeSpan.Zero));
        }
    }

    /// <summary>The hidden limit applies per sending IP, as at the real ISPs (<see cref="HiddenRateLimit"/>).</summary>
    private bool WithinRateLimit(string clientIp)
    {
        if (provider.RateLimitPerMinute <= 0) return true;
        var limit = limits.GetOrAdd(clientIp, _ => new HiddenRateLimit(provider.RateLimitBurstSeconds, DateTimeOffset.UtcNow));
        lock (limit) return limit.TryTake(provider.RateLimitPerMinute, DateTimeOffset.UtcNow);
    }

    /// <summary>A stable share per address, so an unknown user stays unknown on every retry.</summary>
    private static double Share(string address)
    {
        var hash = 2166136261u;
        foreach (var c in address.ToLowerInvariant()) hash = (hash ^ c) * 16777619u;
        return hash / (double)uint.MaxValue;
    }

    private static string ClientIp(ISessionContext context) =>
        context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var ep) && ep is IPEndPoint ip ? ip.Address.ToString() : "unknown";

    private static SmtpResponseException Reply(string reply, bool quit = false) =>
        new(new SmtpResponse((SmtpReplyCode)int.Parse(reply[..3]), reply[4..]), quit);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
        stop.Dispose();
    }
}
