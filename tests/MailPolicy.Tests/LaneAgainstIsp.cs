using ProMTA.FakeIsp.Limits;
using ProMTA.MailPolicy.Replies;
using static ProMTA.MailPolicy.Tests.ControllerFixture;

namespace ProMTA.MailPolicy.Tests;

/// <summary>
/// One Gmail lane of a controller against the fake ISPs' hidden limit (the model the simulator and the fake MX use),
/// on a virtual clock: every second the lane sends as long as the controller allows, and every answer goes back to it.
/// </summary>
internal sealed class LaneAgainstIsp(ThrottleController controller, Func<TimeSpan, double> limitAt)
{
    private readonly HiddenRateLimit _isp = new(2, T0);
    private readonly List<(int Accepted, int Deferred)> _seconds = [];

    public long Accepted { get; private set; }
    public long Deferred { get; private set; }

    /// <summary>Seconds since <see cref="ControllerFixture.T0"/> of every refusal.</summary>
    public List<int> Refusals { get; } = [];

    /// <summary>Sends until <paramref name="until"/> (virtual time since T0).</summary>
    public void RunUntil(TimeSpan until)
    {
        for (var second = _seconds.Count; second < until.TotalSeconds; second++)
        {
            var now = T0 + TimeSpan.FromSeconds(second);
            int accepted = 0, deferred = 0;
            while (controller.TryAcquire(Ip, "gmail", Tenant, now).Allowed)
            {
                var taken = _isp.TryTake(limitAt(TimeSpan.FromSeconds(second)), now);
                controller.Record(Ip, "gmail", Tenant, taken ? SmtpReply.Accepted : GmailRateLimited, now);
                if (taken) accepted++;
                else
                {
                    deferred++;
                    Refusals.Add(second);
                }
            }
            _seconds.Add((accepted, deferred));
            Accepted += accepted;
            Deferred += deferred;
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
