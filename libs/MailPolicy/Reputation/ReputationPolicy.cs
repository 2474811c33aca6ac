namespace ProMTA.MailPolicy.Reputation;

/// <summary>
/// Thresholds that turn a tenant's outcomes at one provider into a verdict. The defaults follow what the large
/// mailbox providers publish (Gmail: complaints under 0.1%, never 0.3%; bounce rates above 5% are a list problem).
/// </summary>
public sealed record ReputationPolicy
{
    /// <summary>The window the rates are computed over.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);

    /// <summary>No verdict on fewer attempts than this: a few bounces of a small sender say nothing.</summary>
    public long MinimumSample { get; init; } = 200;

    /// <summary>From this bounce rate the tenant is slowed down.</summary>
    public double SlowDownBounceRate { get; init; } = 0.05;

    /// <summary>From this bounce rate the tenant x provider is suspended.</summary>
    public double SuspendBounceRate { get; init; } = 0.10;

    /// <summary>
    /// Complaint rates count only from this many complaints in the window. One complaint among the first few hundred
    /// messages of a small, clean sender is chance, not a dirty list (a 0.01 % list draws one in 10,000; a 200-message
    /// sample makes that one report 0.5 %, over the suspension rate). 1 here (every complaint counts: what the
    /// simulator's complaint table was measured with); Delivery runs with 2 (Delivery:Throttling:Reputation:MinimumComplaints).
    /// </summary>
    public long MinimumComplaints { get; init; } = 1;

    /// <summary>From this complaint rate the tenant is slowed down.</summary>
    public double SlowDownComplaintRate { get; init; } = 0.001;

    /// <summary>From this complaint rate the tenant x provider is suspended.</summary>
    public double SuspendComplaintRate { get; init; } = 0.003;

    /// <summary>Below these rates (and deferrals under <see cref="CleanDeferralRate"/>) a sender counts as clean.</summary>
    public double CleanBounceRate { get; init; } = 0.02;

    /// <summary>Complaint rate under which a sender counts as clean.</summary>
    public double CleanComplaintRate { get; init; } = 0.0005;

    /// <summary>Deferral rate under which a sender counts as clean.</summary>
    public double CleanDeferralRate { get; init; } = 0.05;

    /// <summary>The share of the lane rate a slowed-down tenant may use.</summary>
    public double SlowDownFactor { get; init; } = 0.5;

    /// <summary>How much faster a clean sender's rate grows.</summary>
    public double CleanGrowthBoost { get; init; } = 1.5;

    /// <summary>How long a dirty tenant x provider is suspended.</summary>
    public TimeSpan Suspension { get; init; } = TimeSpan.FromHours(4);
}
