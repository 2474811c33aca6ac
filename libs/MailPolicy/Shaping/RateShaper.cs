using ProMTA.MailPolicy.Providers;

namespace ProMTA.MailPolicy.Shaping;

/// <summary>
/// The increase/decrease rules of one lane. Before the ISP ever pushes back the rate grows multiplicatively (its
/// limit is unknown); a rate-limit reply cuts it multiplicatively and remembers where the push-back came; after a
/// hold the rate climbs back towards that point by closing part of the gap each clean interval, then probes above
/// it with additive steps that double while replies stay clean. A refused probe falls back just below the rate known
/// clean rather than cutting. Probes are paid from a credit each message earns
/// (<see cref="ShapingPolicy.ProbeBudget"/>): near the rate known clean one starts after enough messages; far below
/// the most the ISP ever took from the lane (a lowered limit) one jumps straight back there on a timer. Never above
/// the ceiling, never below the floor, and never a snap back to the old rate. Connections follow the same feedback.
/// </summary>
public sealed class RateShaper(ProviderLimits limits, ShapingPolicy policy, DateTimeOffset now)
{
    private DateTimeOffset _holdUntil = now;
    private DateTimeOffset _lastDecreaseAt = DateTimeOffset.MinValue;
    private DateTimeOffset _intervalStart = now;
    private long _sentInInterval;
    private long _refusedInInterval;
    private bool _throttledInInterval;
    private double _probeStep;
    private long _sentSinceProbe;
    private long _sentSinceDecrease;
    private long _sentSinceStep;
    private double? _recoverTo;
    private double? _knownClean;
    private double? _probeFrom;
    private DateTimeOffset? _slowStartEndedAt;
    private double _probeCredit;
    private bool _jumped;
    private readonly HighWaterRate _highWater = new(policy.HighWaterWindow);

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
        _sentSinceProbe++;
        _sentSinceDecrease++;
        _sentSinceStep++;
        _probeCredit = Math.Min(policy.ProbeCreditCap, _probeCredit + policy.ProbeBudget);
    }

    /// <summary>
    /// Takes back a message counted by <see cref="OnSent"/> that never reached the ISP: it neither shows use that would
    /// let the rate grow nor earns probe credit. (Counts an interval or a probe already reset stay at zero.)
    /// </summary>
    public void OnUnsent()
    {
        _sentInInterval = Math.Max(0, _sentInInterval - 1);
        _sentSinceProbe = Math.Max(0, _sentSinceProbe - 1);
        _sentSinceDecrease = Math.Max(0, _sentSinceDecrease - 1);
        _sentSinceStep = Math.Max(0, _sentSinceStep - 1);
        if (_probeCredit > 0) _probeCredit = Math.Max(0, _probeCredit - policy.ProbeBudget);
    }

    /// <summary>
    /// The most messages per minute the ISP took from this lane over a whole <see cref="ShapingPolicy.HighWaterWindow"/>,
    /// or null before one went by: while the lane runs well below it, the capacity it lost is likely to come back.
    /// </summary>
    public double? HighWaterRate => _highWater.PerMinute;

    /// <summary>
    /// A rate-limit reply to a message sent at <paramref name="sentAt"/> (null: unknown): cut the rate and connections,
    /// once per reaction window for replies to messages sent before the last cut.
    /// </summary>
    /// <returns>True when the rate was cut.</returns>
    public bool OnThrottled(DateTimeOffset now, DateTimeOffset? sentAt = null)
    {
        _throttledInInterval = true;
        _refusedInInterval++;
        // A refusal of a message sent before the last cut says nothing about the new rate (it is the same overshoot
        // answered late), but one of a message sent after it does: the new rate is still above the limit, and every
        // second spent there costs another deferral (in slow start a cut x0.7 can land 20% above the limit).
        var sentSinceCut = sentAt is { } sent && sent > _lastDecreaseAt;
        if (now - _lastDecreaseAt < policy.ReactionWindow && !sentSinceCut) return false;
        if (_knownClean is { } clean && RatePerMinute > clean)
        {
            // A probe found the limit: the ISP's limit lies between the last rate known clean and this one, so fall
            // back just below the clean rate and return to it, instead of a multiplicative cut below the limit and a
            // climb back through the rates that were just proven to be refused.
            LastThrottledRate = RatePerMinute;
            _probeCredit -= 1;
            Decrease(now, clean * policy.FallbackShare, clean);
            return true;
        }
        Cut(now, estimate: true);
        Connections = Math.Max(1, (int)Math.Floor(Connections * policy.DecreaseFactor));
        return true;
    }

    /// <summary>After a suspension the lane resumes below where it was, as after a rate-limit reply.</summary>
    public void OnResumed(DateTimeOffset now)
    {
        Cut(now, estimate: false);
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
        // What the ISP took, not what went out: refusals in slow start would count as capacity otherwise.
        _highWater.Add(_intervalStart, now, Math.Max(0, _sentInInterval - _refusedInInterval));
        _intervalStart = now;
        _sentInInterval = 0;
        _refusedInInterval = 0;
        _throttledInInterval = false;

        if (!clean || used < policy.MinUtilisationToGrow || growthBoost <= 0) return false;

        var before = RatePerMinute;
        RatePerMinute = Math.Min(limits.CeilingRatePerMinute, Grow(RatePerMinute, growthBoost, now));
        Connections = Math.Min(limits.MaxConnections, Connections + 1);
        return RatePerMinute != before;
    }

    /// <summary>The credit saved for probes above the rate known clean (<see cref="ShapingPolicy.ProbeBudget"/>).</summary>
    public double ProbeCredit => _probeCredit;

    /// <summary>
    /// Takes back a stored rate (after a restart, or from the lane's previous owner): within the provider's floor and
    /// ceiling, growth starting afresh; a lane that was throttled before is past its slow start.
    /// </summary>
    public void Restore(double ratePerMinute, int connections, double? lastThrottledRate, DateTimeOffset now, double probeCredit = 0)
    {
        _probeCredit = Math.Clamp(probeCredit, 0, policy.ProbeCreditCap);
        RatePerMinute = Math.Clamp(ratePerMinute, limits.FloorRatePerMinute, limits.CeilingRatePerMinute);
        Connections = Math.Clamp(connections, 1, limits.MaxConnections);
        LastThrottledRate = lastThrottledRate;
        _slowStartEndedAt = lastThrottledRate is null ? null : now;
        _recoverTo = lastThrottledRate * policy.RecoveryTarget;
        _knownClean = _probeFrom = null;
        _intervalStart = now;
        _sentInInterval = _refusedInInterval = 0;
        _probeStep = 0;
    }

    private double Grow(double rate, double boost, DateTimeOffset now)
    {
        if (LastThrottledRate is not { } throttledAt)
            return rate * (1 + (policy.SlowStartFactor - 1) * boost);

        var target = _recoverTo ?? throttledAt * policy.RecoveryTarget;
        if (rate < target)
            return Math.Min(target, rate + (throttledAt - rate) * policy.RecoveryShare * boost);

        // A probe that finds the limit unchanged costs a deferral, one that is not refused costs nothing: a running
        // probe goes on with growing steps, a new one needs a deferral's worth of credit.
        _jumped = false;
        if (_probeFrom is null)
        {
            if (_probeCredit < 1) return rate;
            if (JumpTarget(rate, now) is { } lost)
            {
                // Far below what the ISP took from this IP before: its limit was lowered, and when it comes back it
                // tends to come back whole. One step straight there finds it in one interval; refused, it costs the
                // deferral a small step costs. Steps above it follow as after any clean step.
                ConfirmCleanRate(rate);
                _probeStep = 0;
                _jumped = true;
                return lost;
            }
            // Near the rate known clean a probe mostly finds the limit unchanged: pace those by messages, so they cost
            // the same share of the mail on a 20/min lane as on a 2,000/min one and the credit builds up meanwhile.
            if (_sentSinceProbe < policy.MessagesPerProbe) return rate;
            _sentSinceProbe = 0;
        }
        ConfirmCleanRate(rate);
        _probeStep = _probeStep <= 0
            ? Math.Max(throttledAt * policy.FirstProbeShare, limits.FloorRatePerMinute / 10)
            : Math.Min(_probeStep * 2, rate * policy.MaxProbeShare);
        return rate + _probeStep * boost;
    }

    /// <summary>
    /// Where to jump when the lane runs well below its high-water rate (with a margin below it, as after a decrease)
    /// and its last decrease is <see cref="ShapingPolicy.RecoveryProbeInterval"/> and
    /// <see cref="ShapingPolicy.MessagesPerRecoveryProbe"/> ago; otherwise null.
    /// </summary>
    private double? JumpTarget(double rate, DateTimeOffset now)
    {
        if (policy.RecoveryProbeInterval <= TimeSpan.Zero || now - _lastDecreaseAt < policy.RecoveryProbeInterval
            || _sentSinceDecrease < policy.MessagesPerRecoveryProbe) return null;
        if (_highWater.PerMinute is not { } high) return null;
        var target = high * policy.RecoveryTarget;
        return rate < target * policy.RecoveryTarget ? target : null;
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

    /// <summary>
    /// A multiplicative cut. With <paramref name="estimate"/> (a rate-limit reply while the lane learns) the limit is
    /// taken to lie below the lower of the allowed rate and what the ISP took since slow start ended: the allowed rate
    /// at a refusal can lie far above the limit, because the ISP's burst hides an overshoot for a while (a slow start
    /// refused at 1,013/min by a 600/min limit, a climb back to 95% of that), and aiming back at 95% of it bought one
    /// more deferral and cut per climb, converging by 5% a time.
    /// </summary>
    private void Cut(DateTimeOffset now, bool estimate)
    {
        // Not over slow start: its rate grew x1.5 every interval, so what the ISP took then says little of the limit.
        // Only while the lane is still learning (its first window after slow start, or after a restore): later the
        // high-water rate knows better, and an aim taken from minutes that held a cut and a climb cost a 60/min lane
        // 6% of its capacity over the simulation's six hours.
        var took = estimate && _slowStartEndedAt is { } learning && now - learning <= policy.HighWaterWindow
            ? _highWater.Recent(learning, _intervalStart, now, _sentInInterval - _refusedInInterval,
                policy.LimitEstimateMinimum, policy.LimitEstimateMinimumMessages)
            : null;
        LastThrottledRate = Math.Min(RatePerMinute, took ?? double.MaxValue);
        var rate = RatePerMinute * policy.DecreaseFactor;
        Decrease(now, rate, Math.Max(rate, LastThrottledRate.Value * policy.RecoveryTarget));
    }

    private void Decrease(DateTimeOffset now, double rate, double recoverTo)
    {
        RatePerMinute = Math.Max(limits.FloorRatePerMinute, rate);
        _slowStartEndedAt ??= now;
        _recoverTo = recoverTo;
        _knownClean = _probeFrom = null;
        _holdUntil = now + policy.Hold;
        _lastDecreaseAt = now;
        _sentSinceDecrease = 0;
        _probeStep = 0;
        // A refused jump leaves the count towards the next small probe running, or jumps that keep finding the limit
        // still lowered would starve the small steps that find a limit which came back only part of the way.
        if (!_jumped) _sentSinceProbe = 0;
        _jumped = false;
    }
}
