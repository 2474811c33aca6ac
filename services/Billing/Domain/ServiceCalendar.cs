namespace ProMTA.Billing.Domain;

/// <summary>
/// One service's periods. Without consolidation, period n starts on the order date + n months (rule 10, never
/// chained). Once the customer chose a common billing day (issue 17, section 5), periods from
/// <see cref="AnchorPeriod"/> on start on <see cref="AnchorOn"/> + k months, and the period before them (the
/// transition) runs from <see cref="TransitionStart"/> to <see cref="AnchorOn"/>: shorter than a month, priced pro rata.
/// A plain order date converts implicitly, so code that only knows the order date still reads the usual calendar.
/// </summary>
public readonly record struct ServiceCalendar(DateOnly OrderedOn, DateOnly? AnchorOn = null, int? AnchorPeriod = null, DateOnly? TransitionStart = null)
{
    public static implicit operator ServiceCalendar(DateOnly orderedOn) => new(orderedOn);

    public bool IsAnchored => AnchorOn is not null;

    public DateOnly PeriodStart(int period) => AnchorPeriod switch
    {
        { } first when period >= first => AnchorOn!.Value.AddMonths(period - first),
        { } first when period == first - 1 => TransitionStart!.Value,
        _ => OrderedOn.AddMonths(period),
    };

    /// <summary>Exclusive: the day the next period starts.</summary>
    public DateOnly PeriodEnd(int period) => PeriodStart(period + 1);

    public DateOnly ChargeDate(int period) => period == 0 ? OrderedOn : PeriodStart(period).AddDays(-BillingCalendar.ChargeDaysAhead);

    /// <summary>True for the periods on the common billing day (they renew on the customer's consolidated invoice).</summary>
    public bool IsConsolidated(int period) => AnchorPeriod is { } first && period >= first;

    /// <summary>The period that moves the service onto the common day: shorter than a month, priced pro rata.</summary>
    public bool IsTransition(int period) => AnchorPeriod is { } first && period == first - 1;

    /// <summary>
    /// The days a monthly price pays for in this period: the period's own length, except for the transition, which is
    /// priced against the month that would have started on its first day.
    /// </summary>
    public int MonthDays(int period)
    {
        var start = PeriodStart(period);
        var end = IsTransition(period) ? start.AddMonths(1) : PeriodEnd(period);
        return end.DayNumber - start.DayNumber;
    }

    public int Days(int period) => PeriodEnd(period).DayNumber - PeriodStart(period).DayNumber;

    /// <summary>
    /// What a period costs at a monthly price, in cents: the full price for a normal period; for the transition,
    /// price x days / days of its month, rounded half away from zero (the same rule as an upgrade's proration).
    /// </summary>
    public long PeriodPrice(int period, long monthlyMinor) => IsTransition(period)
        ? (long)Math.Round((decimal)monthlyMinor * Days(period) / MonthDays(period), MidpointRounding.AwayFromZero)
        : monthlyMinor;

    /// <summary>The index of the period that contains <paramref name="today"/> (0 before the first renewal).</summary>
    public int CurrentPeriodIndex(DateOnly today)
    {
        if (AnchorOn is { } anchor && AnchorPeriod is { } first)
        {
            if (today >= anchor)
            {
                var k = Math.Max(0, (today.Year - anchor.Year) * 12 + today.Month - anchor.Month);
                while (k > 0 && anchor.AddMonths(k) > today) k--;
                while (anchor.AddMonths(k + 1) <= today) k++;
                return first + k;
            }
            if (today >= TransitionStart!.Value) return first - 1;
        }
        var period = Math.Max(0, (today.Year - OrderedOn.Year) * 12 + today.Month - OrderedOn.Month);
        while (period > 0 && OrderedOn.AddMonths(period) > today) period--;
        while (OrderedOn.AddMonths(period + 1) <= today) period++;
        return period;
    }

    /// <summary>The first day after <paramref name="after"/> that falls on <paramref name="day"/> of a month (1-28).</summary>
    public static DateOnly NextDay(DateOnly after, int day)
    {
        var candidate = new DateOnly(after.Year, after.Month, day);
        return candidate > after ? candidate : candidate.AddMonths(1);
    }
}
