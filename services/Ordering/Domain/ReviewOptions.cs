using ProMTA.ServiceDefaults.Calendar;

namespace ProMTA.Ordering.Domain;

/// <summary>
/// Rule 2: a reviewed order "may take longer, but never a lot". The reviewer's setup deadline may be at most the
/// usual one working day plus <see cref="ExtraWorkingDays"/>, counted from the decision in the business calendar.
/// </summary>
public sealed class ReviewOptions
{
    public const string Section = "Review";

    public int ExtraWorkingDays { get; set; } = 5;

    /// <summary>The business calendar (the same as Provisioning's): its time zone and holidays.</summary>
    public string TimeZone { get; set; } = "Europe/Amsterdam";

    public List<DateOnly> Holidays { get; set; } = [];

    /// <summary>The latest setup deadline a reviewer may set when deciding at <paramref name="now"/>.</summary>
    public DateTimeOffset LatestDeadline(DateTimeOffset now) =>
        new WorkingDays(Holidays.ToHashSet(), TimeZoneInfo.FindSystemTimeZoneById(TimeZone)).Add(now, 1 + ExtraWorkingDays);
}
