namespace ProMTA.Throttling.Reputation;

/// <summary>Outcome counts over a window; rates are shares of attempts.</summary>
public readonly record struct OutcomeCounts(long Attempts, long Accepted, long Deferred, long Bounced, long Complaints)
{
    /// <summary>Accepted / attempts (1 with no attempts: nothing argues against the sender).</summary>
    public double AcceptanceRate => Attempts == 0 ? 1 : (double)Accepted / Attempts;

    /// <summary>Deferred / attempts.</summary>
    public double DeferralRate => Attempts == 0 ? 0 : (double)Deferred / Attempts;

    /// <summary>Hard bounces / attempts.</summary>
    public double BounceRate => Attempts == 0 ? 0 : (double)Bounced / Attempts;

    /// <summary>Complaints / accepted messages (the way mailbox providers count them).</summary>
    public double ComplaintRate => Accepted == 0 ? 0 : (double)Complaints / Accepted;
}
