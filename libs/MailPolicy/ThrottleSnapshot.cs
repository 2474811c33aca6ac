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

/// <summary>What the customer must be told (the Delivery service forwards it).</summary>
public enum TenantNoticeKind
{
    /// <summary>The provider refused mail for missing or failing SPF/DKIM/DMARC.</summary>
    AuthenticationFailure,

    /// <summary>Bounce or complaint rates suspended sending to the provider.</summary>
    ReputationSuspended,
}

/// <summary>A message for the customer, raised by <see cref="ThrottleController.TenantNoticeRaised"/>.</summary>
public sealed record TenantNotice(string Tenant, string Provider, TenantNoticeKind Kind, string Detail, DateTimeOffset SuspendedUntil, DateTimeOffset At);
