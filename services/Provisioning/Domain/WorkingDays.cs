namespace ProMTA.Provisioning.Domain;

/// <summary>Setup takes one working day from payment (rule 2): Monday to Friday, minus the business holidays.</summary>
public sealed class WorkingDays(IReadOnlySet<DateOnly> holidays)
{
    public bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !holidays.Contains(day);

    /// <summary>The same time of day, <paramref name="days"/> working days later; payment on a weekend counts from Monday.</summary>
    public DateTimeOffset Add(DateTimeOffset start, int days)
    {
        var day = DateOnly.FromDateTime(start.DateTime);
        var time = start.TimeOfDay;
        if (!IsWorkingDay(day))
        {
            while (!IsWorkingDay(day)) day = day.AddDays(1);
            time = TimeSpan.FromHours(9);
        }
        for (var added = 0; added < days;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) added++;
        }
        return new DateTimeOffset(day.ToDateTime(TimeOnly.FromTimeSpan(time)), start.Offset);
    }
}
