namespace ProMTA.Throttling.WarmUp;

/// <summary>
/// The warm-up state of one source IP: which warm-up day it is on, what it sent per provider that day, and when it
/// last sent anything (an IP idle for 30 days is cold again).
/// </summary>
public sealed class IpWarmUp(WarmUpSchedule schedule)
{
    private readonly Dictionary<string, (long Day, long Sent)> _sentToday = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When the current warm-up began, or null for an IP treated as warm.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The last send from this IP, or null.</summary>
    public DateTimeOffset? LastSendAt { get; private set; }

    /// <summary>Starts (or restarts) warming this IP at <paramref name="now"/>.</summary>
    public void Begin(DateTimeOffset now)
    {
        StartedAt = now;
        _sentToday.Clear();
    }

    /// <summary>Restarts the warm-up when the IP has been idle too long; returns true when it did.</summary>
    public bool RewarmIfIdle(DateTimeOffset now)
    {
        if (LastSendAt is not { } last || now - last < schedule.RewarmAfterIdle) return false;
        Begin(now);
        return true;
    }

    /// <summary>The 1-based warm-up day at <paramref name="now"/>, or null when not warming.</summary>
    public int? Day(DateTimeOffset now) =>
        StartedAt is { } start ? (int)((now - start).Ticks / TimeSpan.TicksPerDay) + 1 : null;

    /// <summary>Today's cap for <paramref name="provider"/>, or null when the IP is warm for it.</summary>
    public long? DailyCap(string provider, DateTimeOffset now) =>
        Day(now) is { } day ? schedule.DailyCap(provider, day) : null;

    /// <summary>Messages sent to <paramref name="provider"/> on the current warm-up day.</summary>
    public long SentToday(string provider, DateTimeOffset now) =>
        Day(now) is { } day && _sentToday.TryGetValue(provider, out var entry) && entry.Day == day ? entry.Sent : 0;

    /// <summary>True when the daily cap for <paramref name="provider"/> is used up.</summary>
    public bool CapReached(string provider, DateTimeOffset now) =>
        DailyCap(provider, now) is { } cap && SentToday(provider, now) >= cap;

    /// <summary>When the next warm-up day starts (the held overflow may go then).</summary>
    public DateTimeOffset NextDayStartsAt(DateTimeOffset now) =>
        StartedAt is { } start && Day(now) is { } day ? start + TimeSpan.FromDays(day) : now;

    /// <summary>Counts a send.</summary>
    public void OnSent(string provider, DateTimeOffset now)
    {
        LastSendAt = now;
        if (Day(now) is not { } day) return;
        _sentToday[provider] = _sentToday.TryGetValue(provider, out var entry) && entry.Day == day ? (day, entry.Sent + 1) : (day, 1);
    }
}
