using ProMTA.ServiceDefaults.Calendar;
using Xunit;

namespace ProMTA.Provisioning.Tests;

public sealed class WorkingDaysTests
{
    private static readonly HashSet<DateOnly> Holidays = [new(2026, 12, 25), new(2026, 12, 28)];
    private static readonly WorkingDays Utc = new(Holidays, TimeZoneInfo.Utc);
    private static readonly WorkingDays Amsterdam = new(Holidays, TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"));

    [Theory]
    [InlineData("2026-11-25T10:00:00+00:00", "2026-11-26T10:00:00+00:00")] // Wednesday -> Thursday
    [InlineData("2026-11-27T16:00:00+00:00", "2026-11-30T16:00:00+00:00")] // Friday 16:00 -> Monday 16:00
    [InlineData("2026-11-28T11:00:00+00:00", "2026-12-01T09:00:00+00:00")] // Saturday counts from Monday morning
    [InlineData("2026-12-24T12:00:00+00:00", "2026-12-29T12:00:00+00:00")] // holidays on the 25th and 28th
    public void Setup_takes_one_working_day(string paidAt, string deadline) =>
        Assert.Equal(DateTimeOffset.Parse(deadline), Utc.Add(DateTimeOffset.Parse(paidAt), 1));

    [Theory]
    [InlineData("2026-11-27T16:00:00+01:00", "2026-11-30T16:00:00+01:00")] // Friday 16:00 in Amsterdam -> Monday 16:00 there
    [InlineData("2026-11-29T23:30:00+00:00", "2026-12-01T00:30:00+01:00")] // Sunday in UTC, but already Monday 00:30 in Amsterdam
    [InlineData("2026-11-27T23:30:00+00:00", "2026-12-01T09:00:00+01:00")] // Friday in UTC, Saturday in Amsterdam: from Monday 09:00
    [InlineData("2026-12-24T23:30:00+00:00", "2026-12-30T09:00:00+01:00")] // the 25th (a holiday) in Amsterdam, then the weekend and the 28th
    [InlineData("2026-03-27T10:00:00+01:00", "2026-03-30T10:00:00+02:00")] // over the DST change: the same wall-clock time
    public void Working_days_are_the_business_zones_days(string paidAt, string deadline) =>
        Assert.Equal(DateTimeOffset.Parse(deadline), Amsterdam.Add(DateTimeOffset.Parse(paidAt), 1));
}
