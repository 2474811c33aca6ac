using ProMTA.Timing;

namespace ProMTA.MailPolicy.Shaping;

/// <summary>
/// A destination that cannot be reached is paused with exponentially longer pauses; hammering a dead MX helps
/// nobody and looks like abuse. The first reply of any kind proves it alive again.
/// </summary>
public sealed class DeadDestinationBackoff(ShapingPolicy policy)
{
    private readonly Backoff _pauses = new(policy.DeadDestinationFirstPause, policy.DeadDestinationMaxPause);
    private int _consecutiveFailures;

    /// <summary>Nothing is sent before this instant.</summary>
    public DateTimeOffset PausedUntil { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>True while paused.</summary>
    public bool IsPaused(DateTimeOffset now) => now < PausedUntil;

    /// <summary>A connection failure; returns true when it started a pause.</summary>
    public bool OnFailure(DateTimeOffset now)
    {
        _consecutiveFailures++;
        // The threshold-th failure in a row starts the first pause; each one after it doubles the pause.
        var pauses = _consecutiveFailures - policy.DeadDestinationThreshold + 1;
        if (pauses < 1) return false;
        PausedUntil = now + _pauses.After(pauses);
        return true;
    }

    /// <summary>The ISP answered: it is alive.</summary>
    public void OnAnswer()
    {
        _consecutiveFailures = 0;
        PausedUntil = DateTimeOffset.MinValue;
    }
}
