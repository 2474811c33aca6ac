using System.Diagnostics;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Reputation;

namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>
/// Runs a scenario on a virtual clock: every tick, each lane sends as long as its strategy allows, each attempt is
/// answered by the lane's fake ISP and the answer goes back to the strategy. The queue never runs dry, so what is
/// measured is how fast each strategy may send. No wall-clock time is involved, so a run is deterministic.
/// </summary>
public static class SimulationRunner
{
    private const int MaxAttemptsPerLaneTick = 100_000;

    /// <param name="trace">Called after every tick of every lane with the lane (ip, provider), the tick, the ISP's limit now, the sender's allowed rate (managed only) and the attempts, accepted and deferred of that tick (for <c>--trace</c>).</param>
    public static SimulationResult Run(SimulationScenario scenario, Strategy strategy, ThrottlingOptions? options = null,
        Action<string, string, int, double, double, int, int, int>? trace = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var tenants = Enumerable.Range(0, scenario.SourceIps).Select(i => $"tenant-{i:00}").ToArray();
        var ips = Enumerable.Range(0, scenario.SourceIps).Select(i => $"198.51.100.{10 + i}").ToArray();
        ISender sender = strategy == Strategy.Static
            ? new StaticSender((options?.Data ?? ThrottlingData.Default).Replies)
            : ControllerSender.Create(strategy, tenants, options);

        var placement = new Random(scenario.Seed);
        var lanes = new List<SimLane>();
        for (var ip = 0; ip < scenario.SourceIps; ip++)
        {
            for (var p = 0; p < scenario.Isps.Count; p++)
            {
                var factor = scenario.IpFactorMin + placement.NextDouble() * (scenario.IpFactorMax - scenario.IpFactorMin);
                var isp = new FakeIspLane(scenario.Isps[p], factor, scenario.BounceRateOf(ip), new Random(scenario.Seed * 7919 + ip * 101 + p),
                    scenario.ComplaintRateOf(ip));
                lanes.Add(new SimLane(ips[ip], scenario.Isps[p].Provider, tenants[ip], isp, new LaneObserver(isp, scenario.Tick),
                    scenario.BounceRateOf(ip) < SimulationScenario.CleanBounceRate, scenario.ComplaintRateOf(ip)));
            }
        }

        var ticks = (int)(scenario.Duration / scenario.Tick);
        for (var tick = 0; tick < ticks; tick++)
        {
            var now = SimulationScenario.Start + scenario.Tick * tick;
            foreach (var lane in lanes)
            {
                int attempts = 0, accepted = 0, deferred = 0;
                for (var n = 0; n < MaxAttemptsPerLaneTick && sender.TryAcquire(lane.Ip, lane.Provider, lane.Tenant, now); n++)
                {
                    var reply = lane.Isp.Attempt(now);
                    sender.Record(lane.Ip, lane.Provider, lane.Tenant, reply, now);
                    var outcome = OutcomeOf(reply);
                    lane.Observer.Count(outcome, tick);
                    attempts++;
                    if (outcome == SmtpOutcome.Accepted) accepted++;
                    if (outcome == SmtpOutcome.Deferred) deferred++;
                }
                if (trace is not null)
                {
                    var allowed = sender is ControllerSender c ? 1 / c.Controller.SendInterval(lane.Ip, lane.Provider, lane.Tenant, now).TotalMinutes : 0;
                    trace(lane.Ip, lane.Provider, tick, lane.Isp.LimitAt(now), allowed, attempts, accepted, deferred);
                }
                lane.Observer.EndTick(tick);

                var reports = lane.Isp.TakeFeedback(now);
                for (var r = 0; r < reports; r++) sender.RecordComplaint(lane.Tenant, lane.Provider, now);
                lane.ComplaintsReported += reports;
                if (reports > 0) lane.FirstReportedAt ??= now - SimulationScenario.Start;
            }
            if (scenario.TenantComplaintRates.Count > 0 && sender is ControllerSender watched) WatchVerdicts(watched, lanes, now);
        }
        foreach (var lane in lanes) lane.Observer.Finish();
        (sender as ControllerSender)?.Controller.Dispose();

        var clean = lanes.Where(l => l.Clean).ToList();
        var recoveries = clean.SelectMany(l => l.Observer.Recoveries).ToList();
        var blocks = lanes.SelectMany(l => l.Isp.Blocks).ToList();
        return new SimulationResult
        {
            Strategy = strategy,
            Delivered = lanes.Sum(l => l.Observer.Accepted),
            Attempts = lanes.Sum(l => l.Observer.Attempts),
            Deferred = lanes.Sum(l => l.Observer.Deferred),
            Bounced = lanes.Sum(l => l.Observer.Bounced),
            CleanLanes = clean.Count,
            TimesToReach90 = clean.Select(l => l.Observer.ReachedAt).ToList(),
            RecoveriesAfterDrop = recoveries.Where(r => r.Drop).Select(r => r.RecoveredAfter).ToList(),
            RecoveriesAfterRise = recoveries.Where(r => !r.Drop).Select(r => r.RecoveredAfter).ToList(),
            BlocksForSendingRate = blocks.Count(b => b.Cause == BlockCause.SendingRate),
            BlocksForBounces = blocks.Count(b => b.Cause == BlockCause.Bounces),
            CleanCapacity = clean.Sum(l => l.Observer.Capacity),
            CleanDelivered = clean.Sum(l => l.Observer.Accepted),
            WallTime = stopwatch.Elapsed,
            Complaints = scenario.TenantComplaintRates.Count == 0 ? [] : lanes.Select(l => new ComplaintResult(l.Tenant, l.Provider,
                l.ComplaintShare, l.Observer.Accepted, l.Observer.Capacity, l.Isp.Complaints, l.ComplaintsReported, l.FirstReportedAt,
                l.SlowedAt, l.PausedAt, l.Isp.Blocks.Where(b => b.Cause == BlockCause.Complaints).Select(b => (TimeSpan?)(b.At - SimulationScenario.Start)).FirstOrDefault()))
                .ToList(),
            Lanes = lanes.Select(l => new LaneResult(l.Ip, l.Provider, l.Clean, l.Observer.Accepted, l.Observer.Capacity,
                l.Observer.Deferred, l.Observer.Attempts, l.Observer.ReachedAt, l.Observer.Recoveries)).ToList(),
        };
    }

    /// <summary>Notes when each tenant x provider was first slowed down and first paused for its reputation.</summary>
    private static void WatchVerdicts(ControllerSender sender, List<SimLane> lanes, DateTimeOffset now)
    {
        var elapsed = now - SimulationScenario.Start;
        foreach (var tenant in sender.Controller.Snapshot(now).Tenants)
        {
            var lane = lanes.Find(l => l.Tenant == tenant.Tenant && l.Provider == tenant.Provider);
            if (lane is null) continue;
            if (tenant.Verdict is ReputationVerdict.SlowedDown or ReputationVerdict.Suspended) lane.SlowedAt ??= elapsed;
            if (tenant.Verdict == ReputationVerdict.Suspended) lane.PausedAt ??= elapsed;
        }
    }

    private static SmtpOutcome OutcomeOf(SmtpReply reply) => reply.Code switch
    {
        >= 200 and < 300 => SmtpOutcome.Accepted,
        >= 400 and < 500 => SmtpOutcome.Deferred,
        _ => reply.EnhancedCode == "5.1.1" ? SmtpOutcome.Bounced : SmtpOutcome.Rejected,
    };

    private sealed record SimLane(string Ip, string Provider, string Tenant, FakeIspLane Isp, LaneObserver Observer, bool Clean, double ComplaintShare)
    {
        public long ComplaintsReported { get; set; }
        public TimeSpan? FirstReportedAt { get; set; }
        public TimeSpan? SlowedAt { get; set; }
        public TimeSpan? PausedAt { get; set; }
    }
}
