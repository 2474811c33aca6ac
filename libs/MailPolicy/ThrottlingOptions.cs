using ProMTA.MailPolicy.Reputation;
using ProMTA.MailPolicy.Shaping;

namespace ProMTA.MailPolicy;

/// <summary>
/// Everything that tunes the controller; the defaults are the shipped behaviour. Settable so a host binds it from
/// configuration (Delivery binds the section <c>Delivery:Throttling</c> and loads <see cref="Data"/> from its table files).
/// </summary>
public sealed class ThrottlingOptions
{
    /// <summary>Reply rules, provider catalogue, warm-up schedule: the shipped tables unless the host loads others.</summary>
    public ThrottlingData Data { get; set; } = ThrottlingData.Default;

    /// <summary>Increase/decrease rules.</summary>
    public ShapingPolicy Shaping { get; set; } = new();

    /// <summary>Reputation thresholds.</summary>
    public ReputationPolicy Reputation { get; set; } = new();

    /// <summary>
    /// The window of the per-lane acceptance and deferral rates shown in snapshots and metrics.
    /// </summary>
    public TimeSpan LaneStatisticsWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Relay mode of tenants never set explicitly.</summary>
    public RelayMode DefaultRelayMode { get; set; } = RelayMode.Managed;

    /// <summary>Why these values cannot work (empty when they can): a host refuses to start with any.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Shaping.DecreaseFactor is <= 0 or >= 1) problems.Add("Shaping:DecreaseFactor must be between 0 and 1 (exclusive).");
        if (Shaping.SlowStartFactor <= 1) problems.Add("Shaping:SlowStartFactor must be above 1.");
        if (Shaping.ProbeBudget is < 0 or > 1) problems.Add("Shaping:ProbeBudget must be between 0 and 1.");
        if (Shaping.FallbackShare is <= 0 or > 1) problems.Add("Shaping:FallbackShare must be above 0 and at most 1.");
        if (Shaping.LimitEstimateMinimum < TimeSpan.Zero || Shaping.LimitEstimateMinimumMessages < 0)
            problems.Add("Shaping:LimitEstimateMinimum and LimitEstimateMinimumMessages must not be negative.");
        if (Shaping.DeadDestinationThreshold < 1) problems.Add("Shaping:DeadDestinationThreshold must be at least 1.");
        if (Shaping.DeadDestinationFirstPause <= TimeSpan.Zero || Shaping.DeadDestinationMaxPause < Shaping.DeadDestinationFirstPause)
            problems.Add("Shaping:DeadDestinationFirstPause must be positive and DeadDestinationMaxPause at least as long.");
        if (Reputation.MinimumComplaints < 1) problems.Add("Reputation:MinimumComplaints must be at least 1.");
        if (Reputation.Window <= TimeSpan.Zero) problems.Add("Reputation:Window must be positive.");
        if (LaneStatisticsWindow <= TimeSpan.Zero) problems.Add("LaneStatisticsWindow must be positive.");
        return problems;
    }
}
