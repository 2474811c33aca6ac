namespace ProMTA.Billing.Domain;

/// <summary>
/// The prepaid monthly calendar (rules 9-10). Periods are computed from the original order date, never chained,
/// so an order on the 31st gives Feb 28 (29), Mar 31, Apr 30: DateOnly.AddMonths clamps to the month's end.
/// </summary>
public sealed class BillingCalendar(TimeZoneInfo businessZone)
{
    public const int ChargeDaysAhead = 14;

    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, businessZone).DateTime);

    public static DateOnly PeriodStart(DateOnly orderedOn, int periodIndex) => orderedOn.AddMonths(periodIndex);

    /// <summary>Exclusive: the day the next period starts.</summary>
    public static DateOnly PeriodEnd(DateOnly orderedOn, int periodIndex) => PeriodStart(orderedOn, periodIndex + 1);

    /// <summary>Each period after the first is charged 14 days before it starts.</summary>
    public static DateOnly ChargeDate(DateOnly orderedOn, int periodIndex) =>
        periodIndex == 0 ? orderedOn : PeriodStart(orderedOn, periodIndex).AddDays(-ChargeDaysAhead);
}
