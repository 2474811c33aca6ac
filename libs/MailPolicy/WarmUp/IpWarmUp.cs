namespace ProMTA.MailPolicy.WarmUp;

/// <summary>
/// The warm-up state of one source IP: which warm-up day it is on, what it sent per provider that day, and when it
/// last sent anything (an IP idle for 30 days is cold again).
/// </summary>
/// <remarks>
/// Today's count is what every process sent (the stored total it last heard of plus its own sends since); the sends
/// not yet stored are kept apart, so several replicas add theirs up instead of overwriting each other.
/// </remarks>
public sealed class IpWarmUp(WarmUpSchedule schedule)
{
    private readonly Dictionary<string, (long Day, long Sent)> _sentToday = new(StringComparer.OrdinalIgnoreCase);
    // Per provider and day: sends of a day that ended before they were stored still belong to that day's total.
    private readonly Dictionary<string, Dictionary<long, long>> _unsaved = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When the current warm-up began, or null for an IP treated as warm.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The last send from this IP, or null.</summary>
    public DateTimeOffset? LastSendAt { get; private set; }

    /// <summary>Starts (or restarts) warming this IP at <paramref name="now"/>.</summary>
    public void Begin(DateTimeOffset now)
    {
        StartedAt = now;
        _sentToday.Clear();
        _unsaved.Clear();
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
        Add(_sentToday, provider, day, 1);
        AddUnsaved(provider, day, 1);
    }

    /// <summary>
    /// Takes back a send counted at <paramref name="sentAt"/> whose message never reached the ISP (its session did not
    /// open). When that send was already taken for storing, the correction is stored with the next sends (totals add up).
    /// </summary>
    public void OnUnsent(string provider, DateTimeOffset sentAt)
    {
        if (Day(sentAt) is not { } day) return;
        if (_sentToday.TryGetValue(provider, out var counted) && counted.Day == day && counted.Sent > 0) Add(_sentToday, provider, day, -1);
        AddUnsaved(provider, day, -1);
    }

    /// <summary>The sends not stored yet, per provider and day (named by when it starts); they count as stored from now.</summary>
    public IReadOnlyList<(string Provider, DateTimeOffset DayStartsAt, long Sent)> TakeUnsaved()
    {
        if (StartedAt is not { } start) return [];
        // A negative count corrects sends stored before their messages were taken back (OnUnsent).
        var taken = _unsaved.SelectMany(u => u.Value.Where(d => d.Value != 0)
            .Select(d => (u.Key, start + TimeSpan.FromDays(d.Key - 1), d.Value))).ToList();
        _unsaved.Clear();
        return taken;
    }

    /// <summary>Gives back sends taken by <see cref="TakeUnsaved"/> that could not be stored.</summary>
    public void ReturnUnsaved(string provider, DateTimeOffset dayStartsAt, long sent)
    {
        if (DayOf(dayStartsAt) is { } day) AddUnsaved(provider, day, sent);
    }

    /// <summary>
    /// What all processes together stored for <paramref name="provider"/> on the day starting at
    /// <paramref name="dayStartsAt"/>: today's count becomes that plus this process's sends not stored yet.
    /// </summary>
    public void RestoreSent(string provider, DateTimeOffset dayStartsAt, long storedTotal)
    {
        // A day before the one already counted is over: it must not replace today's count.
        if (DayOf(dayStartsAt) is not { } day || (_sentToday.TryGetValue(provider, out var counted) && counted.Day > day)) return;
        var unsaved = _unsaved.TryGetValue(provider, out var days) ? days.GetValueOrDefault(day) : 0;
        var known = _sentToday.TryGetValue(provider, out var k) && k.Day == day ? k.Sent : 0;
        // Another process's save may lag behind what this one already counted: never count down.
        _sentToday[provider] = (day, Math.Max(known, storedTotal + unsaved));
    }

    /// <summary>The warm-up day starting at <paramref name="dayStartsAt"/> of the current warm-up, or null (another warm-up's day).</summary>
    private long? DayOf(DateTimeOffset dayStartsAt)
    {
        if (StartedAt is not { } start) return null;
        // A stored time keeps microseconds, not ticks: the nearest whole day, when it is that.
        var days = Math.Round((dayStartsAt - start).TotalDays);
        return days >= 0 && (dayStartsAt - start - TimeSpan.FromDays(days)).Duration() < TimeSpan.FromSeconds(1) ? (long)days + 1 : null;
    }

    private void AddUnsaved(string provider, long day, long sent)
    {
        if (!_unsaved.TryGetValue(provider, out var days)) _unsaved[provider] = days = [];
        days[day] = days.GetValueOrDefault(day) + sent;
    }

    private static void Add(Dictionary<string, (long Day, long Sent)> counts, string provider, long day, long sent) =>
        counts[provider] = counts.TryGetValue(provider, out var entry) && entry.Day == day ? (day, entry.Sent + sent) : (day, sent);
}
