using ProMTA.Billing.Domain;
using Xunit;

namespace ProMTA.Billing.Tests;

public sealed class CancellationPolicyTests
{
    private static readonly CancellationPolicy Policy = new(new BillingCalendar(TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")));

    [Theory]
    // Ordered on the 20th; the period starting Dec 20 has its deadline at the end of Dec 5 (Amsterdam, UTC+1).
    [InlineData("2026-11-20", "2026-12-05T22:59:59Z", "2026-12-19", false)] // 23:59:59 local on the deadline: no further charge
    [InlineData("2026-11-20", "2026-12-05T23:00:00Z", "2027-01-19", true)]  // one second later: the next period is charged
    [InlineData("2026-11-20", "2026-11-20T10:00:00Z", "2026-12-19", false)] // right after ordering
    [InlineData("2026-11-20", "2026-12-12T10:00:00Z", "2027-01-19", true)]  // after the renewal charge on Dec 6
    [InlineData("2026-11-20", "2026-12-21T10:00:00Z", "2027-01-19", false)] // in the second period, before its deadline
    // Ordered on the 31st: the period starting Feb 28 has its deadline at the end of Feb 13.
    [InlineData("2027-01-31", "2027-02-13T22:59:59Z", "2027-02-27", false)]
    [InlineData("2027-01-31", "2027-02-14T00:00:00Z", "2027-03-30", true)]
    // Summer time: the deadline of the period starting Jul 10 is the end of Jun 25, 21:59:59 UTC (UTC+2).
    [InlineData("2027-06-10", "2027-06-25T21:59:59Z", "2027-07-09", false)]
    [InlineData("2027-06-10", "2027-06-25T22:00:00Z", "2027-08-09", true)]
    public void A_cancellation_ends_the_service_with_the_last_paid_period(string orderedOn, string requestedAt, string lastDay, bool chargedAgain)
    {
        var outcome = Policy.Decide(DateOnly.Parse(orderedOn), DateTimeOffset.Parse(requestedAt));
        Assert.Equal(DateOnly.Parse(lastDay), outcome.LastDay);
        Assert.Equal(chargedAgain, outcome.ChargedAgain);
        Assert.Equal(outcome.LastDay.AddDays(1), outcome.EndExclusive);
    }

    [Theory]
    [InlineData("2027-01-31", "2027-02-27", 0)]
    [InlineData("2027-01-31", "2027-02-28", 1)]
    [InlineData("2027-01-31", "2027-03-30", 1)]
    [InlineData("2027-01-31", "2027-03-31", 2)]
    public void The_current_period_is_found_from_the_original_date(string orderedOn, string today, int expected) =>
        Assert.Equal(expected, CancellationPolicy.CurrentPeriodIndex(DateOnly.Parse(orderedOn), DateOnly.Parse(today)));
}
