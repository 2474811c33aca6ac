using ProMTA.Billing.Domain;
using Xunit;

namespace ProMTA.Billing.Tests;

public sealed class BillingCalendarTests
{
    [Theory]
    // ordered on the 20th: charged at order, then on the 6th for the period starting on the 20th (rule 9)
    [InlineData("2026-01-20", 1, "2026-02-20", "2026-02-06")]
    [InlineData("2026-01-20", 2, "2026-03-20", "2026-03-06")]
    // ordered on the 31st: periods from the original date, clamped to month end, never chained (rule 10)
    [InlineData("2026-01-31", 1, "2026-02-28", "2026-02-14")]
    [InlineData("2026-01-31", 2, "2026-03-31", "2026-03-17")]
    [InlineData("2026-01-31", 3, "2026-04-30", "2026-04-16")]
    [InlineData("2028-01-31", 1, "2028-02-29", "2028-02-15")]
    [InlineData("2028-02-29", 12, "2029-02-28", "2029-02-14")]
    [InlineData("2028-02-29", 48, "2032-02-29", "2032-02-15")]
    [InlineData("2026-12-30", 2, "2027-02-28", "2027-02-14")]
    public void Periods_come_from_the_original_order_date(string orderedOn, int period, string start, string charge)
    {
        var ordered = DateOnly.Parse(orderedOn);
        Assert.Equal(DateOnly.Parse(start), BillingCalendar.PeriodStart(ordered, period));
        Assert.Equal(DateOnly.Parse(charge), BillingCalendar.ChargeDate(ordered, period));
        Assert.Equal(BillingCalendar.PeriodStart(ordered, period + 1), BillingCalendar.PeriodEnd(ordered, period));
    }

    [Fact]
    public void The_first_period_is_charged_on_the_order_day()
    {
        var ordered = new DateOnly(2026, 5, 20);
        Assert.Equal(ordered, BillingCalendar.ChargeDate(ordered, 0));
        Assert.Equal(new DateOnly(2026, 6, 20), BillingCalendar.PeriodEnd(ordered, 0));
    }

    [Theory]
    // 23:30 UTC on Jan 31 is already Feb 1 in Amsterdam (UTC+1 in winter, UTC+2 in summer)
    [InlineData("2026-01-31T23:30:00Z", "2026-02-01")]
    [InlineData("2026-01-31T22:59:59Z", "2026-01-31")]
    [InlineData("2026-06-30T22:00:00Z", "2026-07-01")]
    [InlineData("2026-06-30T21:59:59Z", "2026-06-30")]
    public void The_billing_day_is_the_order_day_in_the_business_zone(string instant, string expected)
    {
        var calendar = new BillingCalendar(TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"));
        Assert.Equal(DateOnly.Parse(expected), calendar.LocalDate(DateTimeOffset.Parse(instant)));
    }
}
