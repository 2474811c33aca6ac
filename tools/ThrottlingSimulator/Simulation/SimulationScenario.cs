using ProMTA.MailPolicy.Replies;

namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>What to simulate. Everything random comes from <see cref="Seed"/>, so a run is reproducible.</summary>
public sealed record SimulationScenario
{
    public required int SourceIps { get; init; }
    public required TimeSpan Duration { get; init; }
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(1);
    public int Seed { get; init; } = 42;
    public required IReadOnlyList<IspProfile> Isps { get; init; }

    /// <summary>Hard-bounce share of each tenant's list (one tenant per dedicated IP); missing entries are clean.</summary>
    public IReadOnlyList<double> TenantBounceRates { get; init; } = [];

    /// <summary>Share of each tenant's delivered mail that draws a spam complaint; missing entries draw none.</summary>
    public IReadOnlyList<double> TenantComplaintRates { get; init; } = [];

    /// <summary>Each IP's standing with the ISPs: its hidden limits are the base limit times a factor in this range.</summary>
    public double IpFactorMin { get; init; } = 0.8;
    public double IpFactorMax { get; init; } = 1.2;

    /// <summary>A tenant counts as clean for the convergence measures below this bounce rate.</summary>
    public const double CleanBounceRate = 0.02;

    public double BounceRateOf(int ip) => ip < TenantBounceRates.Count ? TenantBounceRates[ip] : 0.005;

    public double ComplaintRateOf(int ip) => ip < TenantComplaintRates.Count ? TenantComplaintRates[ip] : 0;

    /// <summary>
    /// The complaint proof (issue 16): two tenants with clean lists (few bounces) on their own IPs at the same six
    /// providers; one list draws 0.01% complaints (a good sender), the other 0.5%.
    /// </summary>
    public static SimulationScenario Complaints() => new()
    {
        SourceIps = 2,
        Duration = TimeSpan.FromHours(2),
        Isps = StandardIsps(),
        TenantBounceRates = [0.005, 0.005],
        TenantComplaintRates = [0.0001, 0.005],
    };

    public static readonly DateTimeOffset Start = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The scenario: 6 h, 10 IPs x 6 providers of very different size, limits halving and recovering.</summary>
    public static SimulationScenario Default() => new()
    {
        SourceIps = 10,
        Duration = TimeSpan.FromHours(6),
        Isps = StandardIsps(),
        // Eight clean lists, one that bounces enough to be slowed down, one that bounces enough to be suspended.
        TenantBounceRates = [0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.005, 0.06, 0.12],
    };

    /// <summary>The six fake providers: Gmail, Outlook and Yahoo halve at minute 30 and recover at 90; iCloud dips later.</summary>
    public static IReadOnlyList<IspProfile> StandardIsps()
    {
        LimitChange[] halveAt30RecoverAt90 = [new(TimeSpan.FromMinutes(30), 0.5), new(TimeSpan.FromMinutes(90), 1.0)];
        return
        [
            new("gmail", 900, halveAt30RecoverAt90,
                SmtpReply.Parse("421 4.7.28 [192.0.2.10] Our system has detected an unusual rate of mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited."),
                SmtpReply.Parse("421 4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited mail originating from your IP address.")),
            new("outlook", 600, halveAt30RecoverAt90,
                SmtpReply.Parse("451 4.7.650 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation."),
                SmtpReply.Parse("550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).")),
            new("yahoo", 360, halveAt30RecoverAt90,
                SmtpReply.Parse("421 4.7.0 [TS02] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1"),
                SmtpReply.Parse("421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.56.1")),
            new("icloud", 150, [new(TimeSpan.FromMinutes(200), 0.6), new(TimeSpan.FromMinutes(260), 1.0)],
                SmtpReply.Parse("421 4.7.0 Too many messages, slow down"),
                SmtpReply.Parse("554 5.7.1 [CS01] Message rejected due to local policy, IP listed at Spamhaus")),
            new("comcast", 60, [],
                SmtpReply.Parse("421 4.7.0 Too many connections from your IP, rate limited"),
                SmtpReply.Parse("554 5.7.1 IP 192.0.2.10 blocked using zen.spamhaus.org")),
            new("default", 20, [],
                SmtpReply.Parse("450 4.7.1 Rate limit exceeded, try again later"),
                SmtpReply.Parse("554 5.7.1 Service unavailable; client host 192.0.2.10 blocked using a local blocklist")),
        ];
    }
}
