namespace ProMTA.MailPolicy.Reputation;

/// <summary>What the tenant's recent outcomes at a provider mean for its speed.</summary>
public enum ReputationVerdict
{
    /// <summary>Too few attempts to judge: neither boosted nor slowed.</summary>
    Unknown,

    /// <summary>Few bounces, complaints and deferrals: grows faster.</summary>
    Clean,

    /// <summary>Acceptable.</summary>
    Fair,

    /// <summary>Bounces or complaints above the slow-down thresholds: a share of the lane rate only, no growth.</summary>
    SlowedDown,

    /// <summary>Above the suspension thresholds: nothing is sent to this provider for hours.</summary>
    Suspended,
}

/// <summary>The reputation of a tenant at one provider.</summary>
/// <param name="Score">0-100, higher is cleaner; for people and dashboards, decisions use <paramref name="Verdict"/>.</param>
/// <param name="RateFactor">The share of the lane rate this tenant may use.</param>
/// <param name="GrowthBoost">Multiplies the lane's growth steps (0 = no growth).</param>
public sealed record ReputationScore(double Score, ReputationVerdict Verdict, double RateFactor, double GrowthBoost, OutcomeCounts Counts);
