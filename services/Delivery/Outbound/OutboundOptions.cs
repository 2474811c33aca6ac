namespace ProMTA.Delivery.Outbound;

/// <summary>The "Delivery" section: how queued mail leaves for the recipients' MX.</summary>
public sealed class OutboundOptions
{
    /// <summary>
    /// DNS servers (ip:port) asked for MX and A records; none configured: the platform's local PowerDNS
    /// (<see cref="DefaultResolver"/>). Empty by default because configuration binding appends to an array: a default
    /// element would stay first in front of every configured resolver (each lookup waiting for it to time out).
    /// </summary>
    public string[] Resolvers { get; set; } = [];

    public const string DefaultResolver = "127.0.0.1:5353";

    /// <summary>The resolvers to ask: <see cref="Resolvers"/>, or <see cref="DefaultResolver"/> when none is configured.</summary>
    public System.Net.IPEndPoint[] ResolverEndpoints() => [.. (Resolvers.Length > 0 ? Resolvers : [DefaultResolver]).Select(System.Net.IPEndPoint.Parse)];
    /// <summary>The port MX hosts are reached on: 25 on the internet; the fake ISPs of a local run may use another.</summary>
    public int MxPort { get; set; } = 25;
    /// <summary>Static routes that skip DNS (domain -> ip:port), like a transport map: tests and special cases.</summary>
    public Dictionary<string, string> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>How long a deferred recipient is retried before it bounces.</summary>
    public TimeSpan MessageLifetime { get; set; } = TimeSpan.FromDays(3);
    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromHours(1);
    /// <summary>When a deferred recipient is tried again; +-25% so recipients deferred by one 421 burst come back spread out.</summary>
    public ProMTA.Timing.Backoff Retry => new(RetryInitial, RetryMax, Jitter: 0.25);
    public int BatchSize { get; set; } = 500;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a claimed recipient is held by its worker; after a crash it comes back when this ends.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>
    /// How much of its <see cref="Lease"/> a claimed message must still have to be started: more than its send may take
    /// (a transaction is cut after <see cref="Timeout"/>) and its outcome's write, and the replicas' clocks apart. With
    /// less left, its batch hands it and the rest back to the queue (due at once, no attempt counted) rather than risk a
    /// second claim sending it too. Each further transaction of the message (a VERP return path per recipient) adds
    /// <see cref="Timeout"/>.
    /// </summary>
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>
    /// Batches of <see cref="BatchSize"/> that may be in flight at once when sending without pacing (benchmarks): the claim
    /// loop refills up to this many as batches finish. Paced sending claims what the lanes may send instead. (When these
    /// were claim loops side by side, 4 loops x 20 connections delivered half as fast as 1 x 4 on the 2-core machine.)
    /// </summary>
    public int Workers { get; set; } = 1;
    public int MaxConnections { get; set; } = 32;
    /// <summary>Our cap on simultaneous sessions to one MX host; the throttling controller may allow fewer.</summary>
    public int MaxConnectionsPerDestination { get; set; } = 4;
    /// <summary>How long an idle outbound session is kept open for the next batch to the same destination.</summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public int MessagesPerConnection { get; set; } = 100;

    public const double DefaultTransactionalReserve = 0.2;

    /// <summary>
    /// The share of each lane's claim allowance bulk mail may not claim into (0 to 0.9): transactional mail's own room, so
    /// bulk waiting in memory never fills a lane ahead of it. Transactional mail may use the whole allowance. The same
    /// share (at least one) of <see cref="MaxConnections"/> is kept for transactional batches.
    /// </summary>
    public double TransactionalReserve { get; set; } = DefaultTransactionalReserve;
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>How often the throttling controller's learned lanes are saved (and warm-ups picked up).</summary>
    public TimeSpan ThrottleStateInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// The EHLO name of sessions from an IP whose PTR name Delivery does not know (no dedicated IP, or an account made
    /// before the names were kept); every dedicated IP otherwise greets with its own PTR name.
    /// </summary>
    public string HeloName { get; set; } = "localhost";

    /// <summary>
    /// Local runs only (the fake ISPs' MX live on 127.0.0.x): connect to MX hosts that resolve to loopback, private or
    /// link-local addresses. Off (the default, and in every deploy/ manifest), such an MX is a permanent failure: SSRF on
    /// port 25. Static <see cref="Routes"/> are the operator's own and always allowed. Only the AppHost's local run sets it.
    /// </summary>
    public bool AllowInternalMxAddresses { get; set; }

    /// <summary>
    /// Benchmarks only: send without asking the throttling controller (replies still teach it), so a benchmark
    /// measures the MTA, not the pacing. Refused outside Development.
    /// </summary>
    public bool BypassThrottling { get; set; }
}
