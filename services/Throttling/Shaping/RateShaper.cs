using ProMTA.Throttling.Providers;

namespace ProMTA.Throttling.Shaping;

/// <summary>
/// The increase/decrease rules of one lane. Before the ISP ever pushes back the rate grows multiplicatively (its
/// limit is unknown); a rate-limit reply cuts it multiplicatively and remembers where the push-back came; after a
/// hold the rate climbs back towards that point by closing part of the gap each clean interval, then, once enough
/// messages went out since the decrease, probes above it with additive steps that double while replies stay clean.
/// A refused probe falls back just below the rate known clean rather than cutting. Never above the ceiling, never
/// below the floor, and never a snap back to the old rate. Connections follow the same feedback.
/// </summary>
public sealed class RateShaper(ProviderLimits limits, ShapingPolicy policy, DateTimeOffset now)
{
    private DateTimeOffset _holdUntil = now;
    private DateTimeOffset _lastDecreaseAt = DateTimeOffset.MinValue;
    private DateTimeOffset _intervalStart = now;
    private long _sentInInterval;
    private bool _throttledInInterval;
    private double _probeStep;
    private long _sentSinceCut;
    private long _sentSinceStep;
    private double? _recoverTo;
    private double? _knownClean;
    private double? _probeFrom;

    /// <summary>The allowed rate in messages per minute.</summary>
    public double RatePerMinute { get; private set; } = limits.StartRatePerMinute;

    /// <summary>The allowed concurrent connections.</summary>
    public int Connections { get; private set; } = limits.StartConnections;

    /// <summary>The rate at which the ISP last pushed back, or null while it never did.</summary>
    public double? LastThrottledRate { get; private set; }

    /// <summary>True while climbing back to the rate that was throttled last.</summary>
    public bool Recovering => _recoverTo is { } target && RatePerMinute < target;

    /// <summary>True during the hold that follows a decrease.</summary>
    public bool Holding(DateTimeOffset now) => now < _holdUntil;

    /// <summary>Counts a message sent, for the utilisation that gates growth.</summary>
    public void OnSent()
    {
        _sentInInterval++;
        _sentSinceCut++;
        _sentSinceStep++;
    }

    /// <summary>A rate-limit reply: cut the rate and connections unless a cut happened within the reaction window.</summary>
    /// <returns>True when the rate was cut.</returns>
    public bool OnThrottled(DateTimeOffset now)
    {
        _throttledInInterval = true;
        if (now - _lastDecreaseAt < policy.ReactionWindow) return false;
        if (_knownClean is { } clean && RatePerMinute > clean)
        {
            // A probe found the limit: the ISP's limit lies between the last rate known clean and this one, so fall
            // back just below the clean rate and return to it, instead of a multiplicative cut below the limit and a
            // climb back through the rates that were just proven to be refused.
            LastThrottledRate = RatePerMinute;
            Decrease(now, clean * policy.FallbackShare, clean);
            return true;
        }
        Cut(now);
        Connections = Math.Max(1, (int)Math.Floor(Connections * policy.DecreaseFactor));
        return true;
    }

    /// <summary>After a suspension the lane resumes below where it was, as after a rate-limit reply.</summary>
    public void OnResumed(DateTimeOffset now)
    {
        Cut(now);
        Connections = Math.Max(1, Math.Min(Connections, limits.StartConnections));
    }

    /// <summary>
    /// Grows the rate when an increase interval has passed with clean replies and enough use.
    /// <paramref name="growthBoost"/> comes from the tenant's reputation: above 1 clean senders grow faster, 0 holds.
    /// </summary>
    /// <returns>True when the rate changed.</returns>
    public bool Tick(DateTimeOffset now, double growthBoost = 1.0)
    {
        if (now - _intervalStart < policy.IncreaseInterval) return false;

        var allowance = RatePerMinute / 60 * (now - _intervalStart).TotalSeconds;
        var used = allowance <= 0 ? 0 : _sentInInterval / allowance;
        var clean = !_throttledInInterval && now >= _holdUntil;
        _intervalStart = now;
        _sentInInterval = 0;
        _throttledInInterval = false;

        if (!clean || used < policy.MinUtilisationToGrow || growthBoost <= 0) return false;

        var before = RatePerMinute;
        RatePerMinute = Math.Min(limits.CeilingRatePerMinute, Grow(RatePerMinute, growthBoost));
        Connections = Math.Min(limits.MaxConnections, Connections + 1);
        return RatePerMinute != before;
    }

    /// <summary>Takes back a stored rate (after a restart): within the provider's floor and ceiling, growth starting afresh.</summary>
    public void Restore(double ratePerMinute, int connections, double? lastThrottledRate, DateTimeOffset now)
    {
        RatePerMinute = Math.Clamp(ratePerMinute, limits.FloorRatePerMinute, limits.CeilingRatePerMinute);
        Connections = Math.Clamp(connections, 1, limits.MaxConnections);
        LastThrottledRate = lastThrottledRate;
        _recoverTo = lastThrottledRate * policy.RecoveryTarget;
        _knownClean = _probeFrom = null;
        _intervalStart = now;
        _sentInInterval = 0;
        _probeStep = 0;
    }

    private double Grow(double rate, double boost)
    {
        if (LastThrottledRate is not { } throttledAt)
            return rate * (1 + (policy.SlowStartFactor - 1) * boost);

        var target = _recoverTo ?? throttledAt * policy.RecoveryTarget;
        if (rate < target)
            return Math.Min(target, rate + (throttledAt - rate) * policy.RecoveryShare * boost);

        // A probe above the known limit costs about one deferral when the limit has not moved; on a small lane an
        // interval holds only a few messages, so probing by time alone would defer a large share of its mail.
        if (_sentSinceCut < policy.MessagesPerProbe) return rate;
        ConfirmCleanRate(rate);
        _probeStep = _probeStep <= 0
            ? Math.Max(throttledAt * policy.FirstProbeShare, limits.FloorRatePerMinute / 10)
            : Math.Min(_probeStep * 2, rate * policy.MaxProbeShare);
        return rate + _probeStep * boost;
    }

    /// <summary>
    /// Before each probing step: which rate is known clean. The rate probing started from carried a whole probe
    /// budget. A later step counts only two steps on (the ISP's burst hides a small overshoot for a while) and only
    /// when the step between carried enough messages to have been refused (on a 20/min lane one step carries 1-2).
    /// </summary>
    private void ConfirmCleanRate(double rate)
    {
        if (_knownClean is null) _knownClean = rate;
        else if (_probeFrom is { } previous && _sentSinceStep >= policy.MessagesToConfirmProbe) _knownClean = Math.Max(_knownClean.Value, previous);
        _probeFrom = rate;
        _sentSinceStep = 0;
    }

    private void Cut(DateTimeOffset now)
    {
        LastThrottledRate = RatePerMinute;
        Decrease(now, RatePerMinute * policy.DecreaseFactor, RatePerMinute * policy.RecoveryTarget);
    }

    private void Decrease(DateTimeOffset now, double rate, double recoverTo)
    {
        RatePerMinute = Math.Max(limits.FloorRatePerMinute, rate);
        _recoverTo = recoverTo;
        _knownClean = _probeFrom = null;
        _holdUntil = now + policy.Hold;
        _lastDecreaseAt = now;
        _probeStep = 0;
        _sentSinceCut = 0;
    }
}
