namespace ProMTA.FakeIsp.Limits;

/// <summary>
/// How a fake ISP limits one sending IP, the same model for the real-socket fake MX (<c>tools/FakeIsp</c>) and the
/// simulation (<c>tools/ThrottlingSimulator</c> compiles this very file): a token bucket refilled at the hidden rate
/// that holds at most <paramref name="burstSeconds"/> of it (never less than one message). Above the rate every
/// attempt is refused until the next token is there.
/// </summary>
/// <remarks>
/// Real ISPs publish no algorithm, but what senders observe (Gmail's 4.7.28, Outlook's 4.7.650, Yahoo's TS03) is a
/// per-IP rate with a small burst: a sender pacing just below it is never refused. A count over a sliding minute, the
/// fake MX's earlier model, is not that: it lets a whole minute's quota through in one burst, then refuses everything
/// until the window moves and echoes that burst a minute later, so even a sender at the limit gets long runs of
/// refusals. The limit is passed on every call because the simulation changes it over time.
/// </remarks>
public sealed class HiddenRateLimit(double burstSeconds, DateTimeOffset now)
{
    // An IP the ISP has not heard from for a while has its whole burst (capped to the limit's on the first call).
    private double _tokens = double.PositiveInfinity;
    private DateTimeOffset _refilledAt = now;

    /// <summary>Takes one message's worth of the limit at <paramref name="now"/>; false when the sender is above it.</summary>
    public bool TryTake(double limitPerMinute, DateTimeOffset now)
    {
        var perSecond = limitPerMinute / 60;
        var elapsed = Math.Max(0, (now - _refilledAt).TotalSeconds);
        // Capped on every call, so a lowered limit bites at once instead of after the burst gathered at the old one.
        _tokens = Math.Min(Math.Max(1, perSecond * burstSeconds), _tokens + elapsed * perSecond);
        if (now > _refilledAt) _refilledAt = now;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
