namespace ProMTA.Billing.Domain;

/// <summary>When a cancelled service ends (rule 11), decided at the moment the cancellation arrives.</summary>
/// <param name="LastDay">The last day the service runs: the last day of the last paid period.</param>
/// <param name="EndExclusive">The day after <paramref name="LastDay"/>, when no period is charged any more.</param>
/// <param name="ChargedAgain">True when the cancellation missed the deadline, so the next period is (or was) charged.</param>
public sealed record CancellationOutcome(DateOnly LastDay, DateOnly EndExclusive, bool ChargedAgain);

/// <summary>
/// Rule 11: a cancellation received on or before the deadline of the next period (end of the day 15 days before
/// it starts, in the business zone) means no further charge and the service ends with the current period. A later
/// one is accepted, but the next period is charged (14 days before it starts) and the service ends with it.
/// </summary>
public sealed class CancellationPolicy(BillingCalendar calendar)
{
    public const int DeadlineDaysAhead = BillingCalendar.ChargeDaysAhead + 1;

    public CancellationOutcome Decide(ServiceCalendar orderedOn, DateTimeOffset requestedAt)
    {
        var period = CurrentPeriodIndex(orderedOn, calendar.LocalDate(requestedAt));
        var nextStart = BillingCalendar.PeriodStart(orderedOn, period + 1);
        var end = requestedAt < calendar.CancellationDeadline(nextStart)
            ? nextStart
            : BillingCalendar.PeriodStart(orderedOn, period + 2);
        return new CancellationOutcome(end.AddDays(-1), end, end != nextStart);
    }

    /// <summary>The index of the period that contains <paramref name="today"/> (0 before the first renewal).</summary>
    public static int CurrentPeriodIndex(ServiceCalendar service, DateOnly today) => service.CurrentPeriodIndex(today);
}
