using ProMTA.Timing;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void Waits_double_from_the_first_and_stop_at_the_max()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));

        Assert.Equal(
            [30, 60, 120, 240, 300, 300],
            Enumerable.Range(1, 6).Select(attempt => backoff.After(attempt).TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(5), backoff.After(int.MaxValue));
        Assert.Equal(TimeSpan.FromSeconds(30), backoff.After(0));
    }

    [Fact]
    public void Jitter_moves_a_wait_within_its_band_and_none_leaves_it_exact()
    {
        var spread = new Backoff(TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), Jitter: 0.25);
        var exact = new Backoff(TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.FromSeconds(90), spread.After(2, 0));
        Assert.Equal(TimeSpan.FromSeconds(120), spread.After(2, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(150), spread.After(2, 1));
        Assert.Equal(TimeSpan.FromSeconds(120), exact.After(2, 0.9));
    }
}
