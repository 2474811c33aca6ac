namespace ProMTA.Billing.Domain;

/// <summary>
/// Rule 12 for an unpaid renewal of a period: card retries within the 14 days before the period starts, suspension
/// when it starts unpaid, termination 14 days later.
/// </summary>
public static class Dunning
{
    /// <summary>Days after the charge date on which the card is tried (attempt 0 is the charge itself).</summary>
    public static readonly int[] RetryDays = [0, 3, 7, 12];
    public const int TerminateAfterDays = 14;

    public static DateOnly SuspendOn(ServiceCalendar orderedOn, int period) => BillingCalendar.PeriodStart(orderedOn, period);

    public static DateOnly TerminateOn(ServiceCalendar orderedOn, int period) => SuspendOn(orderedOn, period).AddDays(TerminateAfterDays);

    /// <summary>The next card retry after <paramref name="attempts"/> failed attempts, or null when none is left.</summary>
    public static DateOnly? NextRetry(ServiceCalendar orderedOn, int period, int attempts) =>
        attempts < RetryDays.Length ? BillingCalendar.ChargeDate(orderedOn, period).AddDays(RetryDays[attempts]) : null;

    /// <summary>When the scheduler must look at an unpaid renewal again: the next retry, suspension or termination.</summary>
    public static DateOnly NextCheck(ServiceCalendar orderedOn, int period, int attempts, bool suspended, DateOnly today)
    {
        DateOnly?[] candidates = [NextRetry(orderedOn, period, attempts), suspended ? null : SuspendOn(orderedOn, period), TerminateOn(orderedOn, period)];
        var next = candidates.Where(d => d is not null).Select(d => d!.Value).Min();
        return next > today ? next : today.AddDays(1);
    }
}
