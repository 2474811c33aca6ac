using ProMTA.Delivery.History;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class HistoryRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 14, 37, 12, TimeSpan.Zero);

    [Fact]
    public void Without_parameters_it_is_the_last_24_hours_by_the_hour_including_the_current_hour()
    {
        var (range, errors) = HistoryRange.Parse(null, null, null, Now, 1500);

        Assert.Empty(errors);
        Assert.Equal(new HistoryRange(new(2026, 12, 4, 14, 0, 0, TimeSpan.Zero), new(2026, 12, 5, 15, 0, 0, TimeSpan.Zero), "hour"), range);
        Assert.Equal(25, range!.BucketCount);
    }

    [Fact]
    public void Bounds_are_aligned_to_whole_steps_in_UTC_whatever_offset_they_were_written_in()
    {
        var (range, _) = HistoryRange.Parse("2026-12-05T15:10:30+01:00", "2026-12-05T14:12:00Z", "minute", Now, 1500);

        Assert.Equal(new HistoryRange(new(2026, 12, 5, 14, 10, 0, TimeSpan.Zero), new(2026, 12, 5, 14, 12, 0, TimeSpan.Zero), "minute"), range);
        Assert.Equal([new DateTimeOffset(2026, 12, 5, 14, 10, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 5, 14, 11, 0, TimeSpan.Zero)], range!.Buckets());
    }

    [Theory]
    [InlineData(null, null, "second", "step")]
    [InlineData("yesterday", null, "hour", "from")]
    [InlineData(null, "2026-13-40", "hour", "to")]
    [InlineData("2026-12-05T12:00:00Z", "2026-12-05T10:00:00Z", "hour", "to")]
    [InlineData("2026-12-05T12:00:00Z", "2026-12-05T12:00:00Z", "hour", "to")]
    [InlineData("2026-12-09T12:00:00Z", "2026-12-10T12:00:00Z", "hour", "from")]
    [InlineData("2026-11-01T00:00:00Z", "2026-12-05T00:00:00Z", "minute", "step")]
    [InlineData("2020-01-01T00:00:00Z", "2026-12-05T00:00:00Z", "hour", "step")]
    public void A_bad_range_or_step_names_the_field_to_fix(string? from, string? to, string step, string field)
    {
        var (range, errors) = HistoryRange.Parse(from, to, step, Now, 1500);

        Assert.Null(range);
        Assert.True(errors.ContainsKey(field), string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
    }

    [Fact]
    public void Thirty_days_fit_by_the_hour_and_by_the_day()
    {
        Assert.Equal(721, HistoryRange.Parse(Now.AddDays(-30).ToString("O"), null, "hour", Now, 1500).Range!.BucketCount);
        Assert.Equal(31, HistoryRange.Parse(Now.AddDays(-30).ToString("O"), null, "day", Now, 1500).Range!.BucketCount);
    }
}
