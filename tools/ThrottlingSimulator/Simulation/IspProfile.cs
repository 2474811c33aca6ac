using ProMTA.MailPolicy.Replies;

namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>The hidden limit of a fake ISP is multiplied by <paramref name="Multiplier"/> from <paramref name="At"/> on.</summary>
public sealed record LimitChange(TimeSpan At, double Multiplier);

/// <summary>
/// A fake receiving provider: a hidden per-IP limit the senders must discover, changes of that limit over time, and
/// the texts the real provider answers with (so the shipped classification rules are exercised).
/// </summary>
public sealed record IspProfile(
    string Provider,
    double LimitPerMinute,
    IReadOnlyList<LimitChange> Changes,
    SmtpReply RateLimitReply,
    SmtpReply BlockReply)
{
    /// <summary>The limit multiplier in force at <paramref name="elapsed"/>.</summary>
    public double MultiplierAt(TimeSpan elapsed)
    {
        var multiplier = 1.0;
        foreach (var change in Changes)
        {
            if (change.At <= elapsed) multiplier = change.Multiplier;
        }
        return multiplier;
    }
}
