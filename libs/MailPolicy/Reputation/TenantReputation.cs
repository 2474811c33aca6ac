namespace ProMTA.MailPolicy.Reputation;

/// <summary>
/// Acceptance, deferral, bounce and complaint rates of one tenant at one provider over a sliding window, turned into
/// a score that speeds up clean senders and slows down dirty ones (rule 16: the cleaner the mail, the faster).
/// </summary>
public sealed class TenantReputation(ReputationPolicy policy)
{
    private readonly OutcomeWindow _window = new(policy.Window, 60);
    private TimeSpan _feedbackDelay;

    /// <summary>Set when the outcomes crossed a suspension threshold.</summary>
    public DateTimeOffset SuspendedUntil { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>Adds an outcome.</summary>
    public void Add(OutcomeKind kind, DateTimeOffset now) => _window.Add(kind, now);

    /// <summary>
    /// Adds a feedback-loop complaint about a message delivered at <paramref name="deliveredAt"/> (null: unknown). Its age
    /// is the feedback loop's delay: the complaint rate is then taken over the mail delivered before that delay, whose
    /// complaints had time to come back (<see cref="OutcomeCounts.AcceptedReported"/>).
    /// </summary>
    public void AddComplaint(DateTimeOffset now, DateTimeOffset? deliveredAt)
    {
        _window.Add(OutcomeKind.Complaint, now);
        // The latest report's delay: feedback loops change pace (batches, backlogs); half the window at most, so a
        // report about old mail cannot leave almost nothing to count against.
        if (deliveredAt is { } at && at <= now) _feedbackDelay = TimeSpan.FromTicks(Math.Min((now - at).Ticks, policy.Window.Ticks / 2));
    }

    /// <summary>Suspends from outside (an authentication failure) until <paramref name="until"/>.</summary>
    public void SuspendUntil(DateTimeOffset until)
    {
        if (until > SuspendedUntil) SuspendedUntil = until;
    }

    /// <summary>Evaluates the window; crossing a suspension threshold starts a suspension (returns true the first time).</summary>
    public bool Evaluate(DateTimeOffset now, out ReputationScore score)
    {
        score = Score(now);
        if (score.Verdict != ReputationVerdict.Suspended || now < SuspendedUntil) return false;
        SuspendedUntil = now + policy.Suspension;
        return true;
    }

    /// <summary>The current score, without side effects.</summary>
    public ReputationScore Score(DateTimeOffset now)
    {
        var counts = _window.Totals(now);
        if (_feedbackDelay > TimeSpan.Zero) counts = counts with { AcceptedReported = _window.AcceptedBefore(now - _feedbackDelay, now) };
        var value = Math.Clamp(100 - counts.BounceRate * 500 - counts.ComplaintRate * 20_000 - counts.DeferralRate * 100, 0, 100);
        if (now < SuspendedUntil) return new ReputationScore(value, ReputationVerdict.Suspended, 0, 0, counts);
        if (counts.Attempts < policy.MinimumSample) return new ReputationScore(value, ReputationVerdict.Unknown, 1, 1, counts);

        // Below the minimum count a complaint still costs the clean verdict (and its faster growth), never a slow-down.
        var complaintRate = counts.Complaints >= policy.MinimumComplaints ? counts.ComplaintRate : 0;
        if (counts.BounceRate >= policy.SuspendBounceRate || complaintRate >= policy.SuspendComplaintRate)
            return new ReputationScore(value, ReputationVerdict.Suspended, 0, 0, counts);
        if (counts.BounceRate >= policy.SlowDownBounceRate || complaintRate >= policy.SlowDownComplaintRate)
            return new ReputationScore(value, ReputationVerdict.SlowedDown, policy.SlowDownFactor, 0, counts);
        if (counts.BounceRate < policy.CleanBounceRate && counts.ComplaintRate < policy.CleanComplaintRate
            && counts.DeferralRate < policy.CleanDeferralRate)
            return new ReputationScore(value, ReputationVerdict.Clean, 1, policy.CleanGrowthBoost, counts);
        return new ReputationScore(value, ReputationVerdict.Fair, 1, 1, counts);
    }
}
