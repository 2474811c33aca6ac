namespace ProMTA.Billing.Domain;

/// <summary>
/// The prepaid monthly calendar (rules 9-10). Periods are computed from the original order date, never chained,
/// so an order on the 31st gives Feb 28 (29), Mar 31, Apr 30: DateOnly.AddMonths clamps to the month's end.
/// </summary>
public sealed class BillingCalendar(TimeZoneInfo businessZone)
{
    public const int ChargeDaysAhead = 14;

    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, businessZone).DateTime);

    /// <param name="service">The service's calendar; an order date converts to it (no common billing day).</param>
    public static DateOnly PeriodStart(ServiceCalendar service, int periodIndex) => service.PeriodStart(periodIndex);

    /// <summary>Exclusive: the day the next period starts.</summary>
    public static DateOnly PeriodEnd(ServiceCalendar service, int periodIndex) => service.PeriodEnd(periodIndex);

    /// <summary>
    /// The first instant at which a cancellation is too late for the period starting on <paramref name="periodStart"/>:
    /// the deadline is the end of the day (start - 15 days) in the business zone, so this is the local midnight
    /// that begins the charge day (start - 14 days).
    /// </summary>
    public DateTimeOffset CancellationDeadline(DateOnly periodStart)
    {
        var midnight = periodStart.AddDays(-ChargeDaysAhead).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(midnight, businessZone.GetUtcOffset(midnight));
    }

    /// <summary>Each period after the first is charged 14 days before it starts.</summary>
    public static DateOnly ChargeDate(ServiceCalendar service, int periodIndex) => service.ChargeDate(periodIndex);
}
