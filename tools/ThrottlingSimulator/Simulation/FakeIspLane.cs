using ProMTA.FakeIsp.Limits;
using ProMTA.Throttling.Replies;
using ProMTA.Throttling.Reputation;

namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>Why a fake ISP blocked an IP.</summary>
public enum BlockCause
{
    /// <summary>The sender kept sending while deferred: caused by the sending rate.</summary>
    SendingRate,

    /// <summary>Too many unknown recipients: caused by the tenant's list.</summary>
    Bounces,
}

/// <summary>
/// One fake ISP as seen by one source IP. It accepts up to its hidden limit (<see cref="HiddenRateLimit"/>, the same
/// model as the real-socket fake MX: a token bucket with two seconds of burst) and defers the rest; like the real
/// ones, it blocks an IP that ignores its deferrals (more than 20% of the last five minutes' attempts deferred) and
/// lowers the limit of an IP whose mail bounces (5%: halved, 10%: blocked).
/// </summary>
public sealed class FakeIspLane(IspProfile profile, double ipFactor, double tenantBounceRate, Random random)
{
    private static readonly SmtpReply Accepted = SmtpReply.Parse("250 2.0.0 OK");
    private static readonly SmtpReply UnknownUser = SmtpReply.Parse("550 5.1.1 The email account that you tried to reach does not exist.");
    private const double BurstSeconds = 2;

    private readonly OutcomeWindow _recent = new(TimeSpan.FromMinutes(5), 30);
    private readonly OutcomeWindow _bounces = new(TimeSpan.FromMinutes(30), 30);
    private readonly HiddenRateLimit _limit = new(BurstSeconds, SimulationScenario.Start);

    public IspProfile Profile => profile;
    public DateTimeOffset BlockedUntil { get; private set; } = DateTimeOffset.MinValue;
    public List<(DateTimeOffset At, BlockCause Cause)> Blocks { get; } = [];

    /// <summary>The hidden limit in force for this IP, in messages per minute (without reputation penalties).</summary>
    public double BaseLimitAt(TimeSpan elapsed) => profile.LimitPerMinute * ipFactor * profile.MultiplierAt(elapsed);

    /// <summary>The limit the ISP applies now, reputation included.</summary>
    public double LimitAt(DateTimeOffset now)
    {
        var bounces = _bounces.Totals(now);
        var penalty = bounces.Attempts >= 200 && bounces.BounceRate >= 0.05 ? 0.5 : 1.0;
        return BaseLimitAt(now - SimulationScenario.Start) * penalty;
    }

    /// <summary>One delivery attempt at <paramref name="now"/>.</summary>
    public SmtpReply Attempt(DateTimeOffset now)
    {
        if (now < BlockedUntil) return Count(now, profile.BlockReply, OutcomeKind.Deferred);

        if (!_limit.TryTake(LimitAt(now), now))
        {
            var reply = Count(now, profile.RateLimitReply, OutcomeKind.Deferred);
            var recent = _recent.Totals(now);
            if (recent.Attempts >= 200 && recent.DeferralRate > 0.20) Block(now, BlockCause.SendingRate, TimeSpan.FromHours(1));
            return reply;
        }

        if (random.NextDouble() < tenantBounceRate)
        {
            _bounces.Add(OutcomeKind.Bounced, now);
            var bounces = _bounces.Totals(now);
            if (bounces.Attempts >= 500 && bounces.BounceRate >= 0.10) Block(now, BlockCause.Bounces, TimeSpan.FromHours(2));
            return Count(now, UnknownUser, OutcomeKind.Bounced);
        }
        _bounces.Add(OutcomeKind.Accepted, now);
        return Count(now, Accepted, OutcomeKind.Accepted);
    }

    private SmtpReply Count(DateTimeOffset now, SmtpReply reply, OutcomeKind kind)
    {
        _recent.Add(kind, now);
        return reply;
    }

    private void Block(DateTimeOffset now, BlockCause cause, TimeSpan duration)
    {
        if (now < BlockedUntil) return;
        BlockedUntil = now + duration;
        Blocks.Add((now, cause));
    }
}
