using ProMTA.FakeIsp.Limits;
using ProMTA.MailPolicy.Replies;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

/// <summary>
/// One lane of a controller against the fake ISPs' hidden limit (the model the simulator and the fake MX use), on a
/// virtual clock: every <c>tick</c> (a second unless told) the lane sends as long as the controller allows, and every
/// answer goes back to it <c>replyDelay</c> later (none unless told) with the time its message got its permit, as
/// Delivery reports it: messages sent meanwhile are in flight when a refusal arrives.
/// </summary>
internal sealed class LaneAgainstIsp(ThrottleController controller, Func<TimeSpan, double> limitAt, string provider = "gmail",
    TimeSpan? tick = null, TimeSpan? replyDelay = null)
{
    private readonly HiddenRateLimit _isp = new(2, T0);
    private readonly TimeSpan _tick = tick ?? TimeSpan.FromSeconds(1);
    private readonly TimeSpan _replyDelay = replyDelay ?? TimeSpan.Zero;
    private readonly Queue<(DateTimeOffset RepliedAt, DateTimeOffset SentAt, bool Taken)> _inFlight = new();
    private readonly List<(int Accepted, int Deferred)> _seconds = [];
    private TimeSpan _elapsed;

    public long Accepted { get; private set; }
    public long Deferred { get; private set; }

    /// <summary>Seconds since <see cref="ControllerFixture.T0"/> of every refusal.</summary>
    public List<int> Refusals { get; } = [];

    /// <summary>Sends until <paramref name="until"/> (virtual time since T0).</summary>
    public void RunUntil(TimeSpan until)
    {
        for (; _elapsed < until; _elapsed += _tick)
        {
            var now = T0 + _elapsed;
            Answer(now);
            while (controller.TryAcquire(Ip, provider, Tenant, now).Allowed)
            {
                _inFlight.Enqueue((now + _replyDelay, now, _isp.TryTake(limitAt(_elapsed), now)));
                if (_replyDelay == TimeSpan.Zero) Answer(now);
            }
        }
    }

    private void Answer(DateTimeOffset now)
    {
        while (_inFlight.Count > 0 && _inFlight.Peek().RepliedAt <= now)
        {
            var (_, sentAt, taken) = _inFlight.Dequeue();
            controller.Record(Ip, provider, Tenant, taken ? SmtpReply.Accepted : GmailRateLimited, now, sentAt);
            // Counted in the second the message went, as the ISP counts it.
            var second = (int)(sentAt - T0).TotalSeconds;
            while (_seconds.Count <= second) _seconds.Add((0, 0));
            var (accepted, deferred) = _seconds[second];
            _seconds[second] = taken ? (accepted + 1, deferred) : (accepted, deferred + 1);
            if (taken) Accepted++;
            else
            {
                Deferred++;
                Refusals.Add(second);
            }
        }
    }

    /// <summary>
    /// How long after <paramref name="change"/> the lane first delivered <paramref name="share"/> of the limit over
    /// ten seconds lying wholly after it (the simulation's measure of recovery), or null if it never did.
    /// </summary>
    public TimeSpan? ReachedAfter(TimeSpan change, double share = 0.9)
    {
        var start = (int)change.TotalSeconds;
        for (var end = start + 10; end <= _seconds.Count; end++)
        {
            var accepted = 0;
            for (var s = end - 10; s < end; s++) accepted += _seconds[s].Accepted;
            if (accepted * 6.0 >= share * limitAt(TimeSpan.FromSeconds(end - 1))) return TimeSpan.FromSeconds(end - start);
        }
        return null;
    }

    /// <summary>Refusals in [from, to).</summary>
    public int RefusedBetween(TimeSpan from, TimeSpan to) =>
        Refusals.Count(s => s >= from.TotalSeconds && s < to.TotalSeconds);
}
