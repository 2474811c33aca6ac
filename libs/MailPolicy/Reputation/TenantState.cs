namespace ProMTA.MailPolicy.Reputation;

/// <summary>A tenant x provider's reputation with a score cached for a second: it is read on every send.</summary>
internal sealed class TenantState(ReputationPolicy policy)
{
    private static readonly TimeSpan ScoreLifetime = TimeSpan.FromSeconds(1);
    private DateTimeOffset _scoredAt = DateTimeOffset.MinValue;
    private ReputationScore? _score;

    public Lock Gate { get; } = new();
    public TenantReputation Reputation { get; } = new(policy);

    /// <summary>The score, re-evaluated at most once a second; <paramref name="newlySuspended"/> is true when this evaluation suspended.</summary>
    public ReputationScore Current(DateTimeOffset now, out bool newlySuspended)
    {
        newlySuspended = false;
        if (_score is { } cached && now - _scoredAt < ScoreLifetime && now >= _scoredAt) return cached;
        newlySuspended = Reputation.Evaluate(now, out var score);
        _score = score;
        _scoredAt = now;
        return score;
    }

    /// <summary>Forces the next read to re-evaluate (after a suspension from outside).</summary>
    public void Invalidate() => _score = null;
}
