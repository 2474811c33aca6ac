using ProMTA.MailPolicy.Providers;
using ProMTA.MailPolicy.Reputation;

namespace ProMTA.MailPolicy.Shaping;

/// <summary>The mutable state of one source IP x provider; every access holds <see cref="Gate"/>.</summary>
internal sealed class Lane(string sourceIp, string provider, ProviderLimits limits, ThrottlingOptions options, DateTimeOffset now)
{
    public Lock Gate { get; } = new();
    public string SourceIp { get; } = sourceIp;
    public string Provider { get; } = provider;
    public ProviderLimits Limits { get; } = limits;
    public RateShaper Shaper { get; } = new(limits, options.Shaping, now);
    public TokenBucket Bucket { get; } = new(limits.StartRatePerMinute, options.Shaping.BurstSeconds, now);
    public TokenBucket SafetyBucket { get; } = new(options.Data.Providers.UnmanagedSafetyCaps.MaxRatePerMinute, options.Shaping.BurstSeconds, now);
    public DeadDestinationBackoff Destination { get; } = new(options.Shaping);
    public OutcomeWindow Statistics { get; } = new(options.LaneStatisticsWindow, 30);
    public DateTimeOffset SuspendedUntil { get; set; } = DateTimeOffset.MinValue;

    /// <summary>True until the lane resumed from its last suspension (it then restarts below its old rate).</summary>
    public bool ResumePending { get; set; }

    public ShapingMode ReportedMode { get; set; } = ShapingMode.Normal;
    public int OpenConnections { get; set; }

    /// <summary>Ends a suspension that ran out; returns true when it did.</summary>
    public bool ResumeIfDue(DateTimeOffset now)
    {
        if (!ResumePending || now < SuspendedUntil) return false;
        ResumePending = false;
        Shaper.OnResumed(now);
        return true;
    }
}
