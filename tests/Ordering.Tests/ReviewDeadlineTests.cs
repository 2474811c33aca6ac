using ProMTA.Ordering.Domain;
using Xunit;

namespace ProMTA.Ordering.Tests;

/// <summary>Rule 2, "never a lot": the latest setup deadline a reviewer may set, in the business calendar.</summary>
public sealed class ReviewDeadlineTests
{
    [Fact]
    public void The_latest_deadline_is_the_usual_working_day_plus_the_extra_working_days_skipping_weekends()
    {
        var review = new ReviewOptions { ExtraWorkingDays = 5 };
        // Friday 2026-12-04 14:00 in Amsterdam: 6 working days later is Monday 2026-12-14, same local time.
        var latest = review.LatestDeadline(DateTimeOffset.Parse("2026-12-04T13:00:00Z"));

        Assert.Equal(DateTimeOffset.Parse("2026-12-14T13:00:00Z"), latest);
    }

    [Fact]
    public void Holidays_do_not_count_as_working_days()
    {
        var review = new ReviewOptions { ExtraWorkingDays = 1, Holidays = [new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 28)] };

        var latest = review.LatestDeadline(DateTimeOffset.Parse("2026-12-23T10:00:00Z"));

        // Thursday 24th, (Friday 25th holiday, weekend, Monday 28th holiday) Tuesday 29th.
        Assert.Equal(DateTimeOffset.Parse("2026-12-29T10:00:00Z"), latest);
    }
}
