using ProMTA.MailPolicy.Reputation;
using ProMTA.MailPolicy.Shaping;

namespace ProMTA.MailPolicy;

/// <summary>One source IP x provider lane, for the API and the metrics.</summary>
public sealed record LaneSnapshot(
    string SourceIp,
    string Provider,
    ShapingMode Mode,
    double RatePerMinute,
    int AllowedConnections,
    int OpenConnections,
    int MessagesPerConnection,
    double AcceptanceRate,
    double DeferralRate,
    long AttemptsInWindow,
    DateTimeOffset? SuspendedUntil,
    int? WarmUpDay,
    long? WarmUpDailyCap,
    long SentToday);

/// <summary>One tenant x provider reputation, for the API and the metrics.</summary>
public sealed record TenantSnapshot(
    string Tenant,
    string Provider,
    RelayMode RelayMode,
    ReputationVerdict Verdict,
    double Score,
    double RateFactor,
    double AcceptanceRate,
    double DeferralRate,
    double BounceRate,
    double ComplaintRate,
    DateTimeOffset? SuspendedUntil);

/// <summary>Everything the controller knows at one instant.</summary>
public sealed record ThrottleSnapshot(DateTimeOffset TakenAt, IReadOnlyList<LaneSnapshot> Lanes, IReadOnlyList<TenantSnapshot> Tenants);

/// <summary>A lane changed mode (shown in metrics and logs).</summary>
public sealed record ModeChange(string SourceIp, string Provider, ShapingMode From, ShapingMode To, DateTimeOffset At, string Why);
