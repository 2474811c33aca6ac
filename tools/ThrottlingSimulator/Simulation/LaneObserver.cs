namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>
/// Watches one lane tick by tick, like a person looking at a dashboard: accepted messages per minute over the last
/// ten seconds against the hidden limit, and when that first reaches 90% (at start, and after each limit change,
/// with at most 5% deferred in that window).
/// </summary>
public sealed class LaneObserver(FakeIspLane isp, TimeSpan tick)
{
    private const int WindowTicks = 10;
    private const double Reached = 0.9;
    private readonly long[] _accepted = new long[WindowTicks];
    private readonly long[] _attempts = new long[WindowTicks];
    private readonly long[] _deferred = new long[WindowTicks];
    private readonly List<PendingChange> _pending = [];
    private int _nextChange;

    public TimeSpan? ReachedAt { get; private set; }
    public List<(bool Drop, TimeSpan? RecoveredAfter)> Recoveries { get; } = [];
    public long Accepted { get; private set; }
    public long Attempts { get; private set; }
    public long Deferred { get; private set; }
    public long Bounced { get; private set; }

    /// <summary>The integral of the hidden limit over the run: what a perfect sender could have delivered.</summary>
    public double Capacity { get; private set; }

    public void Count(SmtpOutcome outcome, int tickIndex)
    {
        var slot = tickIndex % WindowTicks;
        _attempts[slot]++;
        Attempts++;
        switch (outcome)
        {
            case SmtpOutcome.Accepted: _accepted[slot]++; Accepted++; break;
            case SmtpOutcome.Deferred: _deferred[slot]++; Deferred++; break;
            case SmtpOutcome.Bounced: Bounced++; break;
        }
    }

    /// <summary>Called once at the end of each tick.</summary>
    public void EndTick(int tickIndex)
    {
        var elapsed = tick * (tickIndex + 1);
        var limit = isp.BaseLimitAt(elapsed - tick);
        Capacity += limit * tick.TotalMinutes;

        var changes = isp.Profile.Changes;
        while (_nextChange < changes.Count && changes[_nextChange].At <= elapsed - tick)
        {
            var before = _nextChange == 0 ? 1.0 : changes[_nextChange - 1].Multiplier;
            _pending.Add(new PendingChange(changes[_nextChange].At, changes[_nextChange].Multiplier < before));
            _nextChange++;
        }

        var accepted = _accepted.Sum();
        var attempts = _attempts.Sum();
        var acceptedPerMinute = accepted * (60.0 / (WindowTicks * tick.TotalSeconds));
        var atLimit = acceptedPerMinute >= Reached * limit;
        if (ReachedAt is null && atLimit) ReachedAt = elapsed;

        var clean = attempts > 0 && (double)_deferred.Sum() / attempts <= 0.05;
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var change = _pending[i];
            // The whole window must lie after the change, or the old limit would be measured.
            if (elapsed - change.At < tick * WindowTicks || !atLimit || !clean) continue;
            Recoveries.Add((change.Drop, elapsed - change.At));
            _pending.RemoveAt(i);
        }

        var next = (tickIndex + 1) % WindowTicks;
        _accepted[next] = _attempts[next] = _deferred[next] = 0;
    }

    /// <summary>Changes the sender never recovered from before the end.</summary>
    public void Finish()
    {
        foreach (var change in _pending) Recoveries.Add((change.Drop, null));
        _pending.Clear();
    }

    private sealed record PendingChange(TimeSpan At, bool Drop);
}

/// <summary>What the observer counts an attempt as.</summary>
public enum SmtpOutcome { Accepted, Deferred, Bounced, Rejected }
