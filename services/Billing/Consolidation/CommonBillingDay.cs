using System.Globalization;
using ProMTA.Billing.Domain;

namespace ProMTA.Billing.Consolidation;

/// <summary>Where a service's periods move when its customer chooses a common billing day.</summary>
/// <param name="AnchorOn">The first period on the common day.</param>
/// <param name="AnchorPeriod">Its index.</param>
/// <param name="TransitionStart">The start of the period before it (the transition, priced pro rata).</param>
public sealed record AnchorMove(DateOnly AnchorOn, int AnchorPeriod, DateOnly TransitionStart)
{
    public ServiceCalendar Apply(DateOnly orderedOn) => new(orderedOn, AnchorOn, AnchorPeriod, TransitionStart);
}

/// <summary>
/// Consolidated billing (issue 17, section 5). The day is 1-28 so every month has it. Nothing already charged
/// changes (rule 9: prepaid; rule 11: no refunds): the first period not charged yet (the transition) runs from its
/// usual start to the next common day, so it is always shortened, never stretched, and charged pro rata on its usual
/// charge date (14 days ahead). A new service joins the same way: its first period runs from the order day to the
/// first common day whose charge date (14 days before it) is still ahead, so its next renewal lands on the
/// customer's consolidated invoice and not on one already issued.
/// </summary>
public static class CommonBillingDay
{
    public const int FirstDay = 1, LastDay = 28;

    /// <summary>The move of a running service whose first period not yet charged is <paramref name="nextPeriod"/>.</summary>
    public static AnchorMove Move(ServiceCalendar calendar, int nextPeriod, int day)
    {
        var start = calendar.PeriodStart(nextPeriod);
        return start.Day == day
            ? new AnchorMove(start, nextPeriod, calendar.PeriodStart(nextPeriod - 1))
            : new AnchorMove(ServiceCalendar.NextDay(start, day), nextPeriod + 1, start);
    }

    /// <summary>A service ordered on <paramref name="orderedOn"/> by a customer on <paramref name="day"/>: period 0 ends on the common day.</summary>
    public static ServiceCalendar Joining(DateOnly orderedOn, int day)
    {
        var anchor = ServiceCalendar.NextDay(orderedOn, day);
        if (anchor.AddDays(-BillingCalendar.ChargeDaysAhead) <= orderedOn) anchor = anchor.AddMonths(1);
        return new ServiceCalendar(orderedOn, anchor, 1, orderedOn);
    }

    /// <summary>The invoice line of a period; a transition says how it was prorated.</summary>
    public static string Line(ServiceCalendar calendar, int period, string planName, long monthlyMinor) =>
        calendar.IsTransition(period) && calendar.Days(period) != calendar.MonthDays(period)
        ? string.Create(CultureInfo.InvariantCulture,
            $"{planName}, to the common billing day (prepaid), prorated: {calendar.Days(period)}/{calendar.MonthDays(period)} days x {monthlyMinor / 100m:0.00}")
        : $"{planName}, monthly subscription (prepaid)";
}
