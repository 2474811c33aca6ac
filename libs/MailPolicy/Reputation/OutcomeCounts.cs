namespace ProMTA.MailPolicy.Reputation;

/// <summary>Outcome counts over a window; rates are shares of attempts.</summary>
/// <param name="AcceptedReported">
/// The accepted messages old enough for their complaints to have reached us (sent before the feedback loop's delay);
/// null: all of <paramref name="Accepted"/>.
/// </param>
public readonly record struct OutcomeCounts(long Attempts, long Accepted, long Deferred, long Bounced, long Complaints, double? AcceptedReported = null)
{
    /// <summary>Accepted / attempts (1 with no attempts: nothing argues against the sender).</summary>
    public double AcceptanceRate => Attempts == 0 ? 1 : (double)Accepted / Attempts;

    /// <summary>Deferred / attempts.</summary>
    public double DeferralRate => Attempts == 0 ? 0 : (double)Deferred / Attempts;

    /// <summary>Hard bounces / attempts.</summary>
    public double BounceRate => Attempts == 0 ? 0 : (double)Bounced / Attempts;

    /// <summary>
    /// Complaints / accepted messages (the way mailbox providers count them), of the messages whose complaints could have
    /// arrived: the ISP counts a complaint the moment the reader clicks, we hear of it a feedback delay later, so mail
    /// sent within that delay has no complaints yet and would dilute the rate (by a third at 900/min and a 30 s delay).
    /// </summary>
    public double ComplaintRate
    {
        get
        {
            var basis = Math.Max(AcceptedReported ?? Accepted, Math.Min(Complaints, Accepted));
            return basis <= 0 ? 0 : Complaints / basis;
        }
    }
}
