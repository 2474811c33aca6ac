using ProMTA.MailPolicy.Reputation;
using ProMTA.MailPolicy.Shaping;

namespace ProMTA.MailPolicy;

/// <summary>Everything that tunes the controller; the defaults are the shipped behaviour.</summary>
public sealed record ThrottlingOptions
{
    /// <summary>Reply rules, provider limits, warm-up schedule.</summary>
    public ThrottlingData Data { get; init; } = ThrottlingData.Default;

    /// <summary>Increase/decrease rules.</summary>
    public ShapingPolicy Shaping { get; init; } = new();

    /// <summary>Reputation thresholds.</summary>
    public ReputationPolicy Reputation { get; init; } = new();

    /// <summary>
    /// The window of the per-lane acceptance and deferral rates shown in snapshots and metrics.
    /// </summary>
    public TimeSpan LaneStatisticsWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Relay mode of tenants never set explicitly.</summary>
    public RelayMode DefaultRelayMode { get; init; } = RelayMode.Managed;
}
