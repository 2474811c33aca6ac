namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>
/// Watches one lane tick by tick, like a person looking at a dashboard: accepted messages per minute over the last
/// ten seconds against the hidden limit, and when that first reaches 90% (at start, and after each limit change,
/// with at most 5% of the last minute's attempts deferred, so a sender still overshooting a lowered limit has not
/// recovered). A change not recovered from before the next one counts as never recovered.
/// </summary>
public sealed class LaneObserver(FakeIspLane isp, TimeSpan tick)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DeferralWindow = TimeSpan.FromSeconds(60);
    private const double Reached = 0.9;
    // The windows are ten seconds and a minute whatever the tick (--tick), so a finer tick measures the same thing.
    private readonly long[] _accepted = new long[Ticks(Window, tick)];
    private readonly long[] _recentAttempts = new long[Ticks(DeferralWindow, tick)];
    private readonly long[] _recentDeferred = new long[Ticks(DeferralWindow, tick)];
    private long _windowAccepted;
    private long _windowAttempts;
    private long _windowDeferred;
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
        var slot = tickIndex % _accepted.Length;
        var recentSlot = tickIndex % _recentAttempts.Length;
        _recentAttempts[recentSlot]++;
        _windowAttempts++;
        Attempts++;
        switch (outcome)
        {
            case SmtpOutcome.Accepted: _accepted[slot]++; _windowAccepted++; Accepted++; break;
            case SmtpOutcome.Deferred: _recentDeferred[recentSlot]++; _windowDeferred++; Deferred++; break;
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
            foreach (var unrecovered in _pending) Recoveries.Add((unrecovered.Drop, null));
            _pending.Clear();
            _pending.Add(new PendingChange(changes[_nextChange].At, changes[_nextChange].Multiplier < before));
            _nextChange++;
        }

        var accepted = _windowAccepted;
        var attempts = _windowAttempts;
        var acceptedPerMinute = accepted * (60.0 / (_accepted.Length * tick.TotalSeconds));
        var atLimit = acceptedPerMinute >= Reached * limit;
        if (ReachedAt is null && atLimit) ReachedAt = elapsed;

        var clean = attempts > 0 && (double)_windowDeferred / attempts <= 0.05;
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var change = _pending[i];
            // The whole window must lie after the change, or the old limit would be measured.
            if (elapsed - change.At < tick * _accepted.Length || !atLimit || !clean) continue;
            Recoveries.Add((change.Drop, elapsed - change.At));
            _pending.RemoveAt(i);
        }

        // Running sums: the slot about to be reused leaves the window.
        var next = (tickIndex + 1) % _accepted.Length;
        _windowAccepted -= _accepted[next];
        _accepted[next] = 0;
        var nextRecent = (tickIndex + 1) % _recentAttempts.Length;
        _windowAttempts -= _recentAttempts[nextRecent];
        _windowDeferred -= _recentDeferred[nextRecent];
        _recentAttempts[nextRecent] = _recentDeferred[nextRecent] = 0;
    }

    /// <summary>Changes the sender never recovered from before the end.</summary>
    public void Finish()
    {
        foreach (var change in _pending) Recoveries.Add((change.Drop, null));
        _pending.Clear();
    }

    private static int Ticks(TimeSpan window, TimeSpan tick) => Math.Max(1, (int)Math.Round(window / tick));

    private sealed record PendingChange(TimeSpan At, bool Drop);
}

/// <summary>What the observer counts an attempt as.</summary>
public enum SmtpOutcome { Accepted, Deferred, Bounced, Rejected }
