namespace ProMTA.MailPolicy.Shaping;

/// <summary>
/// The tuning of the increase/decrease rules. The defaults are what the simulation harness was measured with;
/// every value can be changed through <see cref="ThrottlingOptions"/>.
/// </summary>
public sealed record ShapingPolicy
{
    /// <summary>
    /// Multiplicative decrease on a rate-limit reply. 0.5 halves the rate; the simulation delivered 78% of the hidden
    /// capacity with 0.5 and 92% with 0.7 at the same deferral share, because the rate that was throttled is
    /// remembered and approached again anyway.
    /// </summary>
    public double DecreaseFactor { get; init; } = 0.7;

    /// <summary>
    /// Replies to messages sent before a decrease keep arriving for a moment; reacting to each of them would
    /// collapse the rate to the floor for a single overshoot, so one decrease per window.
    /// </summary>
    public TimeSpan ReactionWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>After a decrease the rate holds this long before it may grow again.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the rate may grow while replies are clean.</summary>
    public TimeSpan IncreaseInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Growth per interval before the ISP ever pushed back (its limit is unknown, so find it fast).</summary>
    public double SlowStartFactor { get; init; } = 1.5;

    /// <summary>
    /// Below the rate that was last throttled, close this share of the gap per interval: that rate is known to be
    /// nearly right, so returning to it gradually but quickly costs little.
    /// </summary>
    public double RecoveryShare { get; init; } = 0.5;

    /// <summary>The recovery phase ends this close to the throttled rate; probing above it starts there.</summary>
    public double RecoveryTarget { get; init; } = 0.95;

    /// <summary>The first probing step above the last throttled rate, as a share of it (additive increase).</summary>
    public double FirstProbeShare { get; init; } = 0.04;

    /// <summary>
    /// Probing above the rate known clean starts only after this many messages since the last decrease: a probe
    /// that finds the limit unchanged costs a deferral, so this bounds the deferred share by messages, not time
    /// (about one in 200 on every lane, whether it carries 20 or 2,000 messages a minute). What it leaves of
    /// <see cref="ProbeBudget"/> is saved for <see cref="RecoveryProbeInterval"/>.
    /// </summary>
    public long MessagesPerProbe { get; init; } = 200;

    /// <summary>
    /// Failed probes a lane may afford, as a share of the messages it sends: each message earns this much credit, each
    /// refused probe spends one, and no probe starts without one. It bounds what probing adds to the deferred share
    /// over the long run (1%: one refused probe per 100 messages), however the probes are paced.
    /// </summary>
    public double ProbeBudget { get; init; } = 0.01;

    /// <summary>
    /// The most probe credit a lane saves (in refused probes): what it may spend at once, faster than it earns, to
    /// find a lowered limit coming back. It bounds the deferrals above <see cref="ProbeBudget"/> over any stretch.
    /// </summary>
    public double ProbeCreditCap { get; init; } = 150;

    /// <summary>
    /// A lane running below <see cref="RecoveryTarget"/> squared (90%) of the most the ISP took from it over a
    /// <see cref="HighWaterWindow"/> (its limit was lowered) probes by jumping straight back to
    /// <see cref="RecoveryTarget"/> of that rate this long after its last decrease,
    /// as long as its credit lasts, besides the probes paced by <see cref="MessagesPerProbe"/>: a lowered limit tends
    /// to come back whole, so such a probe is worth far more than a step above a limit that held, and costs the same
    /// deferral when refused. Zero turns it off.
    /// </summary>
    public TimeSpan RecoveryProbeInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// ... and at least this many messages after it: while the limit stays lowered each jump is refused, so this
    /// bounds what that costs a small lane (one deferral in 50 messages) where the interval alone would not.
    /// </summary>
    public long MessagesPerRecoveryProbe { get; init; } = 50;

    /// <summary>
    /// The window over which the most the ISP took from a lane is measured (its high-water rate). Long enough that the
    /// ISP's burst weighs little in it (an allowed rate a little above the limit goes unrefused only for a few seconds).
    /// </summary>
    public TimeSpan HighWaterWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A cut within the <see cref="HighWaterWindow"/> after slow start (or after a restore) aims the climb back below
    /// what the ISP accepted since slow start ended when that is lower than the refused rate, once it covers at least this
    /// long and <see cref="LimitEstimateMinimumMessages"/> (a refused rate can lie far above the limit: the ISP's burst
    /// hides an overshoot for a while). <see cref="TimeSpan.MaxValue"/> turns it off: the climb back then aims at
    /// <see cref="RecoveryTarget"/> of the refused rate.
    /// </summary>
    public TimeSpan LimitEstimateMinimum { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// ... and at least this many accepted messages: on a 20/min lane a few seconds hold one or two, too few to say
    /// where the limit lies, and a storm of refusals holds none (the lane then aims where it did before it).
    /// </summary>
    public long LimitEstimateMinimumMessages { get; init; } = 60;

    /// <summary>
    /// A failed probe falls back to this share of the rate known clean before it, then climbs back to that rate: the
    /// ISP's bucket was emptied by the probe and refills only below its limit.
    /// </summary>
    public double FallbackShare { get; init; } = 0.95;

    /// <summary>
    /// A probing step is known clean once the step after it carried this many messages without a refusal (a 20/min
    /// lane sends 1-2 per step, so there only the rate probing started from is known clean).
    /// </summary>
    public long MessagesToConfirmProbe { get; init; } = 8;

    /// <summary>Probing steps double while clean, up to this share of the current rate: the limit may have risen a lot.</summary>
    public double MaxProbeShare { get; init; } = 0.5;

    /// <summary>The rate only grows when the lane used at least this share of its allowance (no growth on idle lanes).</summary>
    public double MinUtilisationToGrow { get; init; } = 0.5;

    /// <summary>Tokens the bucket may hold, in seconds of the current rate (a small burst after a pause).</summary>
    public double BurstSeconds { get; init; } = 1.0;

    /// <summary>Default suspension for a reputation reply whose rule names none.</summary>
    public TimeSpan ReputationSuspension { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Default suspension of a tenant x provider for an authentication failure whose rule names none.</summary>
    public TimeSpan AuthenticationSuspension { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Consecutive connection failures before the destination is considered dead.</summary>
    public int DeadDestinationThreshold { get; init; } = 3;

    /// <summary>First dead-destination pause; doubles with each further failure.</summary>
    public TimeSpan DeadDestinationFirstPause { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest dead-destination pause.</summary>
    public TimeSpan DeadDestinationMaxPause { get; init; } = TimeSpan.FromHours(1);
}
