namespace ProMTA.FakeIsp.Limits;

/// <summary>
/// How a fake ISP blocks one sending IP for its users' complaints: when the complaints among the messages it delivered
/// from the IP within <see cref="ComplaintBlockOptions.Window"/> reach <see cref="ComplaintBlockOptions.Rate"/> of at
/// least <see cref="ComplaintBlockOptions.MinimumMessages"/> messages, the IP is refused for
/// <see cref="ComplaintBlockOptions.Duration"/>. Gmail's published guidance for bulk senders is the model: keep the spam
/// rate under 0.1 %, never reach 0.3 %. Counted at once when a recipient complains (the ISP knows before the sender's
/// feedback loop report arrives). Times are passed in, so tests and a simulation can drive it.
/// </summary>
public sealed class ComplaintBlock(ComplaintBlockOptions options)
{
    private readonly Queue<(DateTimeOffset At, bool Complained)> _delivered = new();
    private long _complaints;

    /// <summary>The IP is refused until then (<see cref="DateTimeOffset.MinValue"/>: never blocked).</summary>
    public DateTimeOffset BlockedUntil { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>Messages and complaints counted within the window at the last call.</summary>
    public (long Messages, long Complaints) Window => (_delivered.Count, _complaints);

    public bool IsBlocked(DateTimeOffset now) => now < BlockedUntil;

    /// <summary>Counts one delivered message; true when this message's complaint starts a block.</summary>
    public bool Delivered(bool complained, DateTimeOffset now)
    {
        Expire(now);
        _delivered.Enqueue((now, complained));
        if (complained) _complaints++;
        if (options.Rate <= 0 || IsBlocked(now) || _delivered.Count < options.MinimumMessages) return false;
        if (_complaints < options.Rate * _delivered.Count) return false;
        BlockedUntil = now + options.Duration;
        return true;
    }

    private void Expire(DateTimeOffset now)
    {
        while (_delivered.TryPeek(out var oldest) && oldest.At <= now - options.Window)
        {
            _delivered.Dequeue();
            if (oldest.Complained) _complaints--;
        }
    }
}

/// <summary>When a fake ISP blocks a sending IP for complaints (<see cref="ComplaintBlock"/>).</summary>
public sealed class ComplaintBlockOptions
{
    /// <summary>The complaint share that blocks (0.003 = Gmail's "never reach 0.3 %"); 0 = never blocks.</summary>
    public double Rate { get; set; }

    /// <summary>No block on fewer messages from the IP within the window: a handful of complaints on a small sample is chance.</summary>
    public long MinimumMessages { get; set; } = 2000;

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(4);

    /// <summary>What a blocked IP hears at RCPT; <c>{ip}</c> is the client's address. Gmail's temporary block by default.</summary>
    public string Reply { get; set; } =
        "421 4.7.0 [{ip}] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily blocked.";
}
