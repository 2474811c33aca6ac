using ProMTA.Provisioning.Domain;
using Xunit;

namespace ProMTA.Provisioning.Tests;

public sealed class WorkingDaysTests
{
    private static readonly WorkingDays Calendar = new(new HashSet<DateOnly> { new(2026, 12, 25), new(2026, 12, 28) });

    [Theory]
    [InlineData("2026-11-25T10:00:00+00:00", "2026-11-26T10:00:00+00:00")] // Wednesday -> Thursday
    [InlineData("2026-11-27T16:00:00+00:00", "2026-11-30T16:00:00+00:00")] // Friday 16:00 -> Monday 16:00
    [InlineData("2026-11-28T11:00:00+00:00", "2026-12-01T09:00:00+00:00")] // Saturday counts from Monday morning
    [InlineData("2026-12-24T12:00:00+00:00", "2026-12-29T12:00:00+00:00")] // holidays on the 25th and 28th
    public void Setup_takes_one_working_day(string paidAt, string deadline) =>
        Assert.Equal(DateTimeOffset.Parse(deadline), Calendar.Add(DateTimeOffset.Parse(paidAt), 1));
}
