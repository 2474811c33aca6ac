namespace ProMTA.ServiceDefaults.Calendar;

/// <summary>
/// Setup takes one working day from payment (rule 2), a reviewed order at most a few more: Monday to Friday minus the
/// business holidays, counted in the business time zone, since "Friday" and a holiday are days of the office's calendar,
/// not UTC's. Shared by Provisioning (the deadline it sets) and Ordering (the bound on a reviewer's deadline).
/// </summary>
public sealed class WorkingDays(IReadOnlySet<DateOnly> holidays, TimeZoneInfo zone)
{
    /// <summary>When the working day starts: payment outside working days counts from then.</summary>
    public static readonly TimeOnly DayStarts = new(9, 0);

    public bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !holidays.Contains(day);

    /// <summary>The same local time of day, <paramref name="days"/> working days later; payment on a day off counts from the next working morning.</summary>
    public DateTimeOffset Add(DateTimeOffset start, int days)
    {
        var local = TimeZoneInfo.ConvertTime(start, zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (!IsWorkingDay(day))
        {
            while (!IsWorkingDay(day)) day = day.AddDays(1);
            time = DayStarts;
        }
        for (var added = 0; added < days;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) added++;
        }
        var deadline = day.ToDateTime(time);
        // A local time skipped by a DST change does not exist: the deadline moves to the same time an hour later.
        if (zone.IsInvalidTime(deadline)) deadline = deadline.AddHours(1);
        return new DateTimeOffset(deadline, zone.GetUtcOffset(deadline)).ToUniversalTime();
    }
}
