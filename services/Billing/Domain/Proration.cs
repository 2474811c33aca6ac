namespace ProMTA.Billing.Domain;

/// <summary>One paid period's share of an upgrade: the price difference for the days left of it.</summary>
/// <param name="End">Exclusive: the day the next period starts.</param>
/// <param name="DaysLeft">From the day of the change (included) to the end of the period.</param>
public sealed record ProratedPeriod(int Index, DateOnly Start, DateOnly End, int Days, int DaysLeft, long NetMinor);

/// <summary>
/// Days-based proration of an upgrade (issue 17). The new price applies from the day of the change, that day included,
/// to the end of what is already paid: the current period, and the next one too when its renewal was already charged
/// (14 days ahead, rule 9). For each such period: net = (new monthly price - old monthly price) x days left / days
/// in the period, in cents, rounded half away from zero once per period. VAT is added on the total as on any invoice.
/// </summary>
public static class Proration
{
    /// <param name="firstUnpaidPeriod">The next period not charged yet (Billing's next_period of an active service).</param>
    public static IReadOnlyList<ProratedPeriod> Upgrade(ServiceCalendar orderedOn, int firstUnpaidPeriod, DateOnly today, long oldMonthlyMinor, long newMonthlyMinor)
    {
        var periods = new List<ProratedPeriod>();
        for (var index = CancellationPolicy.CurrentPeriodIndex(orderedOn, today); index < firstUnpaidPeriod; index++)
        {
            var start = BillingCalendar.PeriodStart(orderedOn, index);
            var end = BillingCalendar.PeriodEnd(orderedOn, index);
            // A transition period (moving onto the common billing day) is priced against its whole month.
            var days = orderedOn.MonthDays(index);
            var daysLeft = end.DayNumber - Math.Max(start.DayNumber, today.DayNumber);
            var net = (long)Math.Round((decimal)(newMonthlyMinor - oldMonthlyMinor) * daysLeft / days, MidpointRounding.AwayFromZero);
            periods.Add(new ProratedPeriod(index, start, end, days, daysLeft, net));
        }
        return periods;
    }
}
