using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ProMTA.MailPolicy.Metrics;
using ProMTA.MailPolicy.Providers;
using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.Reputation;
using ProMTA.MailPolicy.Shaping;
using ProMTA.MailPolicy.WarmUp;

namespace ProMTA.MailPolicy;

/// <summary>
/// Adaptive throttling (rule 16): per dedicated source IP x receiving provider, learns from the ISP's answers how
/// fast it may send, and per tenant x provider, speeds up clean senders and slows down dirty ones. Pure domain code:
/// no I/O, time only from the <c>now</c> arguments or the <see cref="TimeProvider"/>. Thread-safe.
/// </summary>
/// <remarks>
/// The Delivery service asks <see cref="TryAcquire(string, string, string, DateTimeOffset)"/> before each message
/// (and waits until <see cref="ThrottleDecision.NextSendTime"/> when refused), then reports every outcome with
/// <see cref="Record(string, string, string, SmtpReply, DateTimeOffset)"/>. The tenant is the service the message
/// belongs to: relay mode (rule 18) and reputation are per service.
/// </remarks>
public sealed class ThrottleController : IDisposable
{
    private readonly ThrottlingOptions _options;
    private readonly TimeProvider _time;
    private readonly ThrottlingMetrics _metrics;
    private readonly ConcurrentDictionary<(string Ip, string Provider), Lane> _lanes = new();
    private readonly ConcurrentDictionary<(string Tenant, string Provider), TenantState> _tenants = new();
    private readonly ConcurrentDictionary<string, RelayMode> _relayModes = new();
    private readonly ConcurrentDictionary<string, IpWarmUp> _warmUps = new();

    /// <summary>Creates a controller; all arguments are optional (shipped tables, system clock, a private meter).</summary>
    public ThrottleController(ThrottlingOptions? options = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        _options = options ?? new ThrottlingOptions();
        _time = timeProvider ?? TimeProvider.System;
        _metrics = new ThrottlingMetrics(meterFactory, () => Snapshot());
    }

    /// <summary>The provider table in use (resolve an MX host with <see cref="ProviderCatalog.ResolveByMx"/>).</summary>
    public ProviderCatalog Providers => _options.Data.Providers;

    /// <summary>Sets a service's relay mode (rule 18: switchable per service).</summary>
    public void SetRelayMode(string tenant, RelayMode mode) => _relayModes[tenant] = mode;

    /// <summary>The relay mode of a service.</summary>
    public RelayMode GetRelayMode(string tenant) =>
        _relayModes.TryGetValue(tenant, out var mode) ? mode : _options.DefaultRelayMode;

    /// <summary>Starts warming a new dedicated IP: daily caps per provider apply from now.</summary>
    public void BeginWarmUp(string sourceIp, DateTimeOffset now)
    {
        var warmUp = WarmUpOf(sourceIp);
        lock (warmUp) warmUp.Begin(now);
    }

    /// <summary>
    /// Today's warm-up cap of <paramref name="sourceIp"/> for <paramref name="provider"/> and the warm-up day it belongs
    /// to, or null when the IP is warm for that provider. Replicas that share a cap reserve sends against it by this day.
    /// </summary>
    public WarmUpDay? WarmUpToday(string sourceIp, string provider, DateTimeOffset now)
    {
        var warmUp = WarmUpOf(sourceIp);
        lock (warmUp)
        {
            if (warmUp.DailyCap(provider, now) is not { } cap) return null;
            var next = warmUp.NextDayStartsAt(now);
            return new WarmUpDay(next - TimeSpan.FromDays(1), next, cap);
        }
    }

    /// <inheritdoc cref="TryAcquire(string, string, string, DateTimeOffset)"/>
    public ThrottleDecision TryAcquire(string sourceIp, string provider, string tenant) =>
        TryAcquire(sourceIp, provider, tenant, _time.GetUtcNow());

    /// <summary>
    /// Asks to send one message from <paramref name="sourceIp"/> to <paramref name="provider"/> for
    /// <paramref name="tenant"/> now. An allowed decision is a permit already counted; a refused one says when to ask
    /// again.
    /// </summary>
    public ThrottleDecision TryAcquire(string sourceIp, string provider, string tenant, DateTimeOffset now)
    {
        var lane = LaneOf(sourceIp, provider, now);

        if (GetRelayMode(tenant) == RelayMode.Unmanaged)
        {
            lock (lane.Gate)
            {
                return lane.SafetyBucket.TryTake(now)
                    ? new ThrottleDecision(true, ThrottleReason.Allowed, now)
                    : new ThrottleDecision(false, ThrottleReason.SafetyCap, lane.SafetyBucket.NextTokenAt(now));
            }
        }

        var score = ScoreOf(tenant, provider, now, out var suspendedUntil);
        var warmUp = WarmUpOf(sourceIp);
        ThrottleDecision decision;
        ModeChange? change;
        lock (lane.Gate)
        {
            decision = Decide(lane, warmUp, score, suspendedUntil, now, consume: true);
            change = UpdateMode(lane, warmUp, now, decision.Reason.ToString());
        }
        Raise(change);
        return decision;
    }

    /// <summary>
    /// Gives back a permit of <see cref="TryAcquire(string, string, string, DateTimeOffset)"/> taken at
    /// <paramref name="takenAt"/> whose message never reached the ISP (its session did not open): the lane's token
    /// (within its burst), the send it counted against a warm-up cap that day, and the use it showed for growth. Otherwise
    /// the lane would send below its learned rate and a warming IP would lose a day's send. Give it back before
    /// recording why the session failed: a push-back then still empties the lane.
    /// </summary>
    public void ReturnPermit(string sourceIp, string provider, string tenant, DateTimeOffset takenAt, DateTimeOffset now)
    {
        var lane = LaneOf(sourceIp, provider, now);
        var unmanaged = GetRelayMode(tenant) == RelayMode.Unmanaged;
        lock (lane.Gate)
        {
            if (unmanaged)
            {
                lane.SafetyBucket.Return(now);
                return;
            }
            lane.Bucket.Return(now);
            lane.Shaper.OnUnsent();
        }
        var warmUp = WarmUpOf(sourceIp);
        lock (warmUp) warmUp.OnUnsent(provider, takenAt);
    }

    /// <summary>When a message for this lane may go, without taking a permit (for queue scheduling).</summary>
    public DateTimeOffset NextSendTime(string sourceIp, string provider, string tenant, DateTimeOffset now)
    {
        var lane = LaneOf(sourceIp, provider, now);
        if (GetRelayMode(tenant) == RelayMode.Unmanaged)
        {
            lock (lane.Gate) return lane.SafetyBucket.NextTokenAt(now);
        }
        var score = ScoreOf(tenant, provider, now, out var suspendedUntil);
        lock (lane.Gate) return Decide(lane, WarmUpOf(sourceIp), score, suspendedUntil, now, consume: false).NextSendTime;
    }

    /// <summary>
    /// How many messages this lane may send between <paramref name="now"/> and <paramref name="now"/> +
    /// <paramref name="horizon"/> at its current rate: the tokens it holds plus those that come within the horizon,
    /// within what its warm-up cap leaves today; none while it is suspended or its destination paused. Takes no permit
    /// and changes nothing: a queue claims this many for the lane, and <see cref="TryAcquire(string, string, string, DateTimeOffset)"/>
    /// still paces each message (a tenant's reputation is applied there).
    /// </summary>
    public int Allowance(string sourceIp, string provider, DateTimeOffset now, TimeSpan horizon)
    {
        var lane = LaneOf(sourceIp, provider, now);
        var warmUp = WarmUpOf(sourceIp);
        long? left;
        lock (warmUp) left = warmUp.DailyCap(provider, now) is { } cap ? Math.Max(0, cap - warmUp.SentToday(provider, now)) : null;
        lock (lane.Gate)
        {
            if (now < lane.SuspendedUntil || lane.Destination.IsPaused(now)) return 0;
            var tokens = lane.Bucket.Available(now) + lane.Bucket.RatePerMinute / 60 * Math.Max(0, horizon.TotalSeconds);
            var allowance = (long)Math.Floor(Math.Max(0, tokens));
            return (int)Math.Min(left ?? allowance, Math.Min(allowance, int.MaxValue));
        }
    }

    /// <summary>The time between two messages of this lane at its current allowed rate (reputation and relay mode included).</summary>
    public TimeSpan SendInterval(string sourceIp, string provider, string tenant, DateTimeOffset now)
    {
        var lane = LaneOf(sourceIp, provider, now);
        var unmanaged = GetRelayMode(tenant) == RelayMode.Unmanaged;
        lock (lane.Gate)
        {
            var rate = unmanaged ? lane.SafetyBucket.RatePerMinute : lane.Bucket.RatePerMinute;
            return TimeSpan.FromMinutes(1 / Math.Max(rate, 0.001));
        }
    }

    /// <summary>
    /// What a reply means, by the same rule table <see cref="Record(string, string, string, SmtpReply, DateTimeOffset)"/>
    /// reacts to: its class for shaping and, when it is final, why its recipient bounced. Nothing is recorded.
    /// </summary>
    public ReplyClassification Classify(SmtpReply reply, string provider) => _options.Data.Replies.Classify(reply, provider);

    /// <inheritdoc cref="Record(string, string, string, SmtpReply, DateTimeOffset)"/>
    public ReplyClassification Record(string sourceIp, string provider, string tenant, SmtpReply reply) =>
        Record(sourceIp, provider, tenant, reply, _time.GetUtcNow());

    /// <summary>
    /// Reports the outcome of one attempt (only the ISP's answers and failures to reach it: our own failures are never
    /// reported). The reply is classified first (<see cref="ReplyClassifier"/>); the class decides the reaction.
    /// <paramref name="sentAt"/> is when the message got its permit, when known: a push-back to a message sent after the
    /// lane's last cut cuts again at once, one to a message sent before it only once per reaction window.
    /// </summary>
    /// <returns>How the reply was classified.</returns>
    public ReplyClassification Record(string sourceIp, string provider, string tenant, SmtpReply reply, DateTimeOffset now, DateTimeOffset? sentAt = null)
    {
        var classification = _options.Data.Replies.Classify(reply, provider);
        var replyClass = classification.Class;
        _metrics.ReplyRecorded(sourceIp, provider, replyClass);

        var kind = OutcomeKindOf(replyClass, reply);
        var lane = LaneOf(sourceIp, provider, now);
        var tenantState = TenantOf(tenant, provider);
        var managed = GetRelayMode(tenant) == RelayMode.Managed;

        lock (tenantState.Gate)
        {
            if (kind is { } k) tenantState.Reputation.Add(k, now);
            if (replyClass == ReplyClass.Authentication)
            {
                var until = now + (classification.Rule?.Suspend ?? _options.Shaping.AuthenticationSuspension);
                // Unmanaged relays are not suspended (rule 18); the refusal still shows in their reputation counts.
                if (managed)
                {
                    tenantState.Reputation.SuspendUntil(until);
                    tenantState.Invalidate();
                }
            }
            // Starts a suspension at once when this outcome crossed a bounce or complaint threshold.
            else if (managed) tenantState.Current(now, out _);
        }

        ModeChange? change = null;
        lock (lane.Gate)
        {
            if (kind is { } k) lane.Statistics.Add(k, now);
            if (managed)
            {
                React(lane, replyClass, classification.Rule, now, sentAt);
                change = UpdateMode(lane, WarmUpOf(sourceIp), now, classification.Rule?.Name ?? replyClass.ToString());
            }
        }
        Raise(change);
        return classification;
    }

    /// <summary>
    /// A feedback-loop complaint for a message of <paramref name="tenant"/> delivered to <paramref name="provider"/> at
    /// <paramref name="deliveredAt"/> (when known: the complaint rate then allows for the feedback loop's delay).
    /// </summary>
    public void RecordComplaint(string tenant, string provider, DateTimeOffset now, DateTimeOffset? deliveredAt = null)
    {
        var state = TenantOf(tenant, provider);
        lock (state.Gate)
        {
            state.Reputation.AddComplaint(now, deliveredAt);
            state.Invalidate();
        }
    }

    /// <summary>How many connections this lane may have open now (suspended or paused lanes: none).</summary>
    public int AllowedConnections(string sourceIp, string provider, string tenant, DateTimeOffset now)
    {
        var lane = LaneOf(sourceIp, provider, now);
        lock (lane.Gate) return AllowedConnections(lane, GetRelayMode(tenant) == RelayMode.Unmanaged, now);
    }

    /// <summary>Asks to open one more connection for this lane; pair with <see cref="CloseConnection"/>.</summary>
    public bool TryOpenConnection(string sourceIp, string provider, string tenant, DateTimeOffset now)
    {
        var lane = LaneOf(sourceIp, provider, now);
        var unmanaged = GetRelayMode(tenant) == RelayMode.Unmanaged;
        lock (lane.Gate)
        {
            if (lane.OpenConnections >= AllowedConnections(lane, unmanaged, now)) return false;
            lane.OpenConnections++;
            return true;
        }
    }

    /// <summary>A connection of this lane closed.</summary>
    public void CloseConnection(string sourceIp, string provider)
    {
        if (!_lanes.TryGetValue((sourceIp, provider), out var lane)) return;
        lock (lane.Gate) lane.OpenConnections = Math.Max(0, lane.OpenConnections - 1);
    }

    /// <summary>
    /// The warm-up sends counted since the last call, per IP x provider x day, to be added to the stored totals (so
    /// the counts of several replicas add up); from now on they count as stored. Give them back with
    /// <see cref="ReturnUnsavedWarmUpSends"/> when storing fails.
    /// </summary>
    public IReadOnlyList<WarmUpSends> TakeUnsavedWarmUpSends()
    {
        var taken = new List<WarmUpSends>();
        foreach (var (ip, warmUp) in _warmUps)
        {
            lock (warmUp) taken.AddRange(warmUp.TakeUnsaved().Select(u => new WarmUpSends(ip, u.Provider, u.DayStartsAt, u.Sent)));
        }
        return taken;
    }

    /// <summary>Sends taken by <see cref="TakeUnsavedWarmUpSends"/> that could not be stored: they are taken again next time.</summary>
    public void ReturnUnsavedWarmUpSends(IEnumerable<WarmUpSends> sends)
    {
        foreach (var send in sends)
        {
            var warmUp = WarmUpOf(send.SourceIp);
            lock (warmUp) warmUp.ReturnUnsaved(send.Provider, send.DayStartsAt, send.Sent);
        }
    }

    /// <summary>
    /// What all processes stored for a warming IP x provider x day (after a restart, or from other replicas): the day's
    /// count becomes that total plus this process's sends not stored yet. Days of another warm-up are ignored.
    /// </summary>
    public void RestoreWarmUpSends(WarmUpSends stored)
    {
        var warmUp = WarmUpOf(stored.SourceIp);
        lock (warmUp) warmUp.RestoreSent(stored.Provider, stored.DayStartsAt, stored.Sent);
    }

    /// <summary>What every lane has learned, to be stored (see <see cref="RestoreLane"/>).</summary>
    public IReadOnlyList<LaneState> ExportLanes()
    {
        var states = new List<LaneState>();
        foreach (var lane in _lanes.Values)
        {
            lock (lane.Gate)
            {
                states.Add(new LaneState(lane.SourceIp, lane.Provider, lane.Shaper.RatePerMinute, lane.Shaper.Connections,
                    lane.Shaper.LastThrottledRate, lane.SuspendedUntil == DateTimeOffset.MinValue ? null : lane.SuspendedUntil, lane.Shaper.ProbeCredit));
            }
        }
        return states;
    }

    /// <summary>
    /// Gives a lane back what it had learned (after a restart, or to a new replica): its rate, connections, recovery
    /// target, suspension and probe credit, so the process does not start probing an ISP from scratch.
    /// </summary>
    public void RestoreLane(LaneState state, DateTimeOffset now)
    {
        var lane = LaneOf(state.SourceIp, state.Provider, now);
        ModeChange? change;
        lock (lane.Gate)
        {
            lane.Shaper.Restore(state.RatePerMinute, state.Connections, state.LastThrottledRate, now, state.ProbeCredit);
            lane.Bucket.SetRate(lane.Shaper.RatePerMinute, now);
            if (state.SuspendedUntil is { } until && until > lane.SuspendedUntil)
            {
                lane.SuspendedUntil = until;
                lane.ResumePending = true;
            }
            change = UpdateMode(lane, WarmUpOf(state.SourceIp), now, "restored");
        }
        Raise(change);
    }

    /// <inheritdoc cref="Snapshot(DateTimeOffset)"/>
    public ThrottleSnapshot Snapshot() => Snapshot(_time.GetUtcNow());

    /// <summary>Every lane and tenant reputation at <paramref name="now"/>, for the API and the metrics.</summary>
    public ThrottleSnapshot Snapshot(DateTimeOffset now)
    {
        var lanes = new List<LaneSnapshot>();
        foreach (var lane in _lanes.Values)
        {
            var warmUp = WarmUpOf(lane.SourceIp);
            int? day;
            long? cap;
            long sentToday;
            lock (warmUp)
            {
                day = warmUp.Day(now);
                cap = warmUp.DailyCap(lane.Provider, now);
                sentToday = warmUp.SentToday(lane.Provider, now);
            }
            lock (lane.Gate)
            {
                var stats = lane.Statistics.Totals(now);
                lanes.Add(new LaneSnapshot(lane.SourceIp, lane.Provider, lane.ReportedMode, lane.Shaper.RatePerMinute,
                    lane.Shaper.Connections, lane.OpenConnections, lane.Limits.MessagesPerConnection,
                    stats.AcceptanceRate, stats.DeferralRate, stats.Attempts,
                    now < lane.SuspendedUntil ? lane.SuspendedUntil : null, cap is null ? null : day, cap, sentToday));
            }
        }

        var tenants = new List<TenantSnapshot>();
        foreach (var ((tenant, provider), state) in _tenants)
        {
            lock (state.Gate)
            {
                var score = state.Reputation.Score(now);
                var until = state.Reputation.SuspendedUntil;
                tenants.Add(new TenantSnapshot(tenant, provider, GetRelayMode(tenant), score.Verdict, score.Score, score.RateFactor,
                    score.Counts.AcceptanceRate, score.Counts.DeferralRate, score.Counts.BounceRate, score.Counts.ComplaintRate,
                    now < until ? until : null));
            }
        }
        return new ThrottleSnapshot(now, lanes, tenants);
    }

    /// <inheritdoc/>
    public void Dispose() => _metrics.Dispose();

    private int AllowedConnections(Lane lane, bool unmanaged, DateTimeOffset now) =>
        unmanaged ? Providers.UnmanagedSafetyCaps.MaxConnections
        : now < lane.SuspendedUntil || lane.Destination.IsPaused(now) ? 0 : lane.Shaper.Connections;

    private ThrottleDecision Decide(Lane lane, IpWarmUp warmUp, ReputationScore score, DateTimeOffset tenantSuspendedUntil,
        DateTimeOffset now, bool consume)
    {
        lane.ResumeIfDue(now);
        if (now < lane.SuspendedUntil) return Refuse(ThrottleReason.IpSuspended, lane.SuspendedUntil);
        if (lane.Destination.IsPaused(now)) return Refuse(ThrottleReason.DestinationBackoff, lane.Destination.PausedUntil);
        if (score.Verdict == ReputationVerdict.Suspended)
            return Refuse(ThrottleReason.TenantSuspended, tenantSuspendedUntil > now ? tenantSuspendedUntil : now + TimeSpan.FromMinutes(1));

        lock (warmUp)
        {
            if (consume) warmUp.RewarmIfIdle(now);
            if (warmUp.CapReached(lane.Provider, now)) return Refuse(ThrottleReason.WarmUpCap, warmUp.NextDayStartsAt(now));
        }

        lane.Shaper.Tick(now, score.GrowthBoost);
        var effectiveRate = Math.Max(lane.Limits.FloorRatePerMinute * score.RateFactor, lane.Shaper.RatePerMinute * score.RateFactor);
        if (lane.Bucket.RatePerMinute != effectiveRate) lane.Bucket.SetRate(effectiveRate, now);

        if (!consume) return new ThrottleDecision(false, ThrottleReason.RateLimit, lane.Bucket.NextTokenAt(now));
        if (!lane.Bucket.TryTake(now)) return Refuse(ThrottleReason.RateLimit, lane.Bucket.NextTokenAt(now));

        lane.Shaper.OnSent();
        lock (warmUp) warmUp.OnSent(lane.Provider, now);
        return new ThrottleDecision(true, ThrottleReason.Allowed, now);

        static ThrottleDecision Refuse(ThrottleReason reason, DateTimeOffset next) => new(false, reason, next);
    }

    private void React(Lane lane, ReplyClass replyClass, ReplyRule? rule, DateTimeOffset now, DateTimeOffset? sentAt)
    {
        switch (replyClass)
        {
            case ReplyClass.RateLimited:
                lane.Destination.OnAnswer();
                if (lane.Shaper.OnThrottled(now, sentAt)) lane.Bucket.SetRate(lane.Shaper.RatePerMinute, now);
                lane.Bucket.Empty(now);
                break;
            case ReplyClass.Reputation:
                lane.Destination.OnAnswer();
                var until = now + (rule?.Suspend ?? _options.Shaping.ReputationSuspension);
                if (until > lane.SuspendedUntil) lane.SuspendedUntil = until;
                lane.ResumePending = true;
                break;
            case ReplyClass.ConnectionFailure:
                lane.Destination.OnFailure(now);
                break;
            default:
                // Accepted, recipient errors, authentication (handled per tenant) and other answers prove the
                // destination alive but say nothing about our rate.
                lane.Destination.OnAnswer();
                break;
        }
    }

    private static OutcomeKind? OutcomeKindOf(ReplyClass replyClass, SmtpReply reply) => replyClass switch
    {
        ReplyClass.Accepted => OutcomeKind.Accepted,
        ReplyClass.Recipient => reply.IsPermanent ? OutcomeKind.Bounced : OutcomeKind.Deferred,
        ReplyClass.RateLimited or ReplyClass.OtherTransient => OutcomeKind.Deferred,
        ReplyClass.Reputation or ReplyClass.Authentication or ReplyClass.OtherPermanent =>
            reply.IsPermanent ? OutcomeKind.Rejected : OutcomeKind.Deferred,
        // No ISP answer: neither the tenant's nor the lane's acceptance statistics.
        _ => null,
    };

    private ModeChange? UpdateMode(Lane lane, IpWarmUp warmUp, DateTimeOffset now, string why)
    {
        bool warming;
        lock (warmUp) warming = warmUp.DailyCap(lane.Provider, now) is not null;
        var mode = now < lane.SuspendedUntil ? ShapingMode.Suspended
            : lane.Destination.IsPaused(now) || lane.Shaper.Recovering || lane.Shaper.Holding(now) ? ShapingMode.Backoff
            : warming ? ShapingMode.WarmingUp
            : ShapingMode.Normal;
        if (mode == lane.ReportedMode) return null;
        var change = new ModeChange(lane.SourceIp, lane.Provider, lane.ReportedMode, mode, now, why);
        lane.ReportedMode = mode;
        return change;
    }

    private void Raise(ModeChange? change)
    {
        if (change is null) return;
        _metrics.ModeChanged(change);
    }

    private ReputationScore ScoreOf(string tenant, string provider, DateTimeOffset now, out DateTimeOffset suspendedUntil)
    {
        var state = TenantOf(tenant, provider);
        lock (state.Gate)
        {
            var score = state.Current(now, out _);
            suspendedUntil = state.Reputation.SuspendedUntil;
            return score;
        }
    }

    private Lane LaneOf(string sourceIp, string provider, DateTimeOffset now) =>
        _lanes.TryGetValue((sourceIp, provider), out var lane)
            ? lane
            : _lanes.GetOrAdd((sourceIp, provider), key => new Lane(key.Ip, key.Provider, Providers.Get(key.Provider), _options, now));

    private TenantState TenantOf(string tenant, string provider) =>
        _tenants.TryGetValue((tenant, provider), out var state)
            ? state
            : _tenants.GetOrAdd((tenant, provider), _ => new TenantState(_options.Reputation));

    private IpWarmUp WarmUpOf(string sourceIp) =>
        _warmUps.TryGetValue(sourceIp, out var warmUp)
            ? warmUp
            : _warmUps.GetOrAdd(sourceIp, _ => new IpWarmUp(_options.Data.WarmUp));
}
