using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Shaping;

namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>The three ways of sending compared by the harness.</summary>
public enum Strategy
{
    /// <summary>ProMTA's adaptive controller.</summary>
    Managed,

    /// <summary>A fixed per-provider configuration with fixed automation rules (KumoMTA-like).</summary>
    Static,

    /// <summary>The controller bypassed: only the hard safety caps (rule 18).</summary>
    Unmanaged,
}

/// <summary>What the simulation asks of a sending strategy, per lane.</summary>
public interface ISender
{
    bool TryAcquire(string ip, string provider, string tenant, DateTimeOffset now);
    void Record(string ip, string provider, string tenant, SmtpReply reply, DateTimeOffset now);

    /// <summary>A feedback-loop complaint about a message of <paramref name="tenant"/> delivered to <paramref name="provider"/>.</summary>
    void RecordComplaint(string tenant, string provider, DateTimeOffset now);
}

/// <summary>Drives the real <see cref="ThrottleController"/>, managed or unmanaged.</summary>
public sealed class ControllerSender(ThrottleController controller) : ISender
{
    public ThrottleController Controller => controller;

    public bool TryAcquire(string ip, string provider, string tenant, DateTimeOffset now) =>
        controller.TryAcquire(ip, provider, tenant, now).Allowed;

    // The simulated ISP answers in the tick its message went, as Delivery reports the permit's time with each answer.
    public void Record(string ip, string provider, string tenant, SmtpReply reply, DateTimeOffset now) =>
        controller.Record(ip, provider, tenant, reply, now, sentAt: now);

    public void RecordComplaint(string tenant, string provider, DateTimeOffset now) =>
        controller.RecordComplaint(tenant, provider, now);

    public static ControllerSender Create(Strategy strategy, IEnumerable<string> tenants, ThrottlingOptions? options = null)
    {
        var controller = new ThrottleController(options);
        if (strategy == Strategy.Unmanaged)
        {
            foreach (var tenant in tenants) controller.SetRelayMode(tenant, RelayMode.Unmanaged);
        }
        return new ControllerSender(controller);
    }
}

/// <summary>
/// A hand-written per-provider configuration, the way static MTAs ship it: a fixed rate per IP and provider, plus
/// fixed automation rules (a rate-limit answer halves the rate for an hour, then it snaps back; a reputation answer
/// suspends for an hour). It never learns a limit and cannot throttle back up gradually.
/// </summary>
public sealed class StaticSender(ReplyClassifier classifier) : ISender
{
    /// <summary>Messages per minute per IP, as an operator would copy them from published guidance.</summary>
    public static readonly IReadOnlyDictionary<string, double> Rates = new Dictionary<string, double>
    {
        ["gmail"] = 600, ["outlook"] = 600, ["yahoo"] = 300, ["icloud"] = 200, ["comcast"] = 60, ["default"] = 60,
    };

    private readonly Dictionary<(string, string), LaneState> _lanes = [];

    public bool TryAcquire(string ip, string provider, string tenant, DateTimeOffset now)
    {
        var lane = LaneOf(ip, provider, now);
        if (now < lane.SuspendedUntil) return false;
        var rate = now < lane.HalvedUntil ? lane.Rate / 2 : lane.Rate;
        lane.Tokens = Math.Min(Math.Max(1, rate / 60), lane.Tokens + (now - lane.RefilledAt).TotalSeconds * rate / 60);
        lane.RefilledAt = now;
        if (lane.Tokens < 1) return false;
        lane.Tokens -= 1;
        return true;
    }

    public void Record(string ip, string provider, string tenant, SmtpReply reply, DateTimeOffset now)
    {
        var lane = LaneOf(ip, provider, now);
        switch (classifier.Classify(reply, provider).Class)
        {
            case ReplyClass.RateLimited when now >= lane.HalvedUntil:
                lane.HalvedUntil = now + TimeSpan.FromHours(1);
                break;
            case ReplyClass.Reputation when now >= lane.SuspendedUntil:
                lane.SuspendedUntil = now + TimeSpan.FromHours(1);
                break;
        }
    }

    /// <summary>Static MTAs log feedback-loop reports but do not pace on them.</summary>
    public void RecordComplaint(string tenant, string provider, DateTimeOffset now) { }

    private LaneState LaneOf(string ip, string provider, DateTimeOffset now)
    {
        if (!_lanes.TryGetValue((ip, provider), out var lane))
        {
            lane = new LaneState { Rate = Rates.TryGetValue(provider, out var r) ? r : Rates["default"], RefilledAt = now };
            _lanes[(ip, provider)] = lane;
        }
        return lane;
    }

    private sealed class LaneState
    {
        public double Rate;
        public double Tokens = 1;
        public DateTimeOffset RefilledAt;
        public DateTimeOffset HalvedUntil = DateTimeOffset.MinValue;
        public DateTimeOffset SuspendedUntil = DateTimeOffset.MinValue;
    }
}
