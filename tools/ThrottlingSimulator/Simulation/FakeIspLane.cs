using ProMTA.FakeIsp.Limits;
using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Reputation;

namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>Why a fake ISP blocked an IP.</summary>
public enum BlockCause
{
    /// <summary>The sender kept sending while deferred: caused by the sending rate.</summary>
    SendingRate,

    /// <summary>Too many unknown recipients: caused by the tenant's list.</summary>
    Bounces,

    /// <summary>Too many recipients marked the mail as spam: caused by the tenant's list.</summary>
    Complaints,
}

/// <summary>
/// One fake ISP as seen by one source IP. It accepts up to its hidden limit (<see cref="HiddenRateLimit"/>, the same
/// model as the real-socket fake MX: a token bucket with two seconds of burst) and defers the rest; like the real
/// ones, it blocks an IP that ignores its deferrals (more than 20% of the last five minutes' attempts deferred) and
/// lowers the limit of an IP whose mail bounces (5%: halved, 10%: blocked). A share of the delivered mail draws a
/// spam complaint: the ISP counts it at once and blocks the IP for four hours when complaints reach 0.3% of at least
/// 2,000 messages delivered within the hour (Gmail's published "never reach 0.3%"); the sender hears of each through
/// the feedback loop <see cref="FeedbackDelay"/> later (an ARF report arriving at our inbound MX).
/// </summary>
public sealed class FakeIspLane(IspProfile profile, double ipFactor, double tenantBounceRate, Random random, double tenantComplaintRate = 0)
{
    /// <summary>From a recipient's click to the ARF report reaching the sender.</summary>
    public static readonly TimeSpan FeedbackDelay = TimeSpan.FromMinutes(1);

    public const double BlockComplaintRate = 0.003;
    public const long BlockComplaintSample = 2_000;

    private static readonly SmtpReply Accepted = SmtpReply.Parse("250 2.0.0 OK");
    private static readonly SmtpReply UnknownUser = SmtpReply.Parse("550 5.1.1 The email account that you tried to reach does not exist.");
    private const double BurstSeconds = 2;

    private readonly OutcomeWindow _recent = new(TimeSpan.FromMinutes(5), 30);
    private readonly OutcomeWindow _bounces = new(TimeSpan.FromMinutes(30), 30);
    private readonly HiddenRateLimit _limit = new(BurstSeconds, SimulationScenario.Start);
    private readonly OutcomeWindow _complaints = new(TimeSpan.FromHours(1), 60);
    private readonly Queue<DateTimeOffset> _feedback = new();

    public IspProfile Profile => profile;
    public DateTimeOffset BlockedUntil { get; private set; } = DateTimeOffset.MinValue;
    public List<(DateTimeOffset At, BlockCause Cause)> Blocks { get; } = [];

    /// <summary>Complaints the ISP counted.</summary>
    public long Complaints { get; private set; }

    /// <summary>Feedback-loop reports due by <paramref name="now"/>, each taken once.</summary>
    public int TakeFeedback(DateTimeOffset now)
    {
        var due = 0;
        while (_feedback.TryPeek(out var at) && at <= now)
        {
            _feedback.Dequeue();
            due++;
        }
        return due;
    }

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
        // Drawn only for lists that draw complaints, so the other lanes' random sequence stays what it was.
        if (tenantComplaintRate > 0) Complain(now);
        return Count(now, Accepted, OutcomeKind.Accepted);
    }

    private void Complain(DateTimeOffset now)
    {
        _complaints.Add(OutcomeKind.Accepted, now);
        if (random.NextDouble() >= tenantComplaintRate) return;
        _complaints.Add(OutcomeKind.Complaint, now);
        _feedback.Enqueue(now + FeedbackDelay);
        Complaints++;
        var counts = _complaints.Totals(now);
        if (counts.Accepted >= BlockComplaintSample && counts.ComplaintRate >= BlockComplaintRate)
            Block(now, BlockCause.Complaints, TimeSpan.FromHours(4));
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
