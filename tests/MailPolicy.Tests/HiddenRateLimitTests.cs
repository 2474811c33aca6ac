using ProMTA.FakeIsp.Limits;
using Xunit;

namespace ProMTA.MailPolicy.Tests;

/// <summary>The fake ISPs' limit (simulation and real-socket fake MX alike): a rate with a small burst, per sending IP.</summary>
public sealed class HiddenRateLimitTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_sender_just_below_the_limit_is_never_refused()
    {
        var limit = new HiddenRateLimit(burstSeconds: 2, Start);

        var refused = Send(limit, perMinute: 590, from: Start, seconds: 300, limitPerMinute: 600);

        Assert.Equal(0, refused);
    }

    [Fact]
    public void A_new_ip_has_its_whole_burst()
    {
        var limit = new HiddenRateLimit(burstSeconds: 2, Start);

        Assert.Equal(20, Enumerable.Range(0, 100).Count(_ => limit.TryTake(600, Start)));
    }

    [Fact]
    public void After_a_pause_only_the_burst_goes_through_at_once()
    {
        var limit = new HiddenRateLimit(burstSeconds: 2, Start);
        var now = Start + TimeSpan.FromSeconds(30);

        var accepted = Enumerable.Range(0, 100).Count(_ => limit.TryTake(600, now));

        Assert.Equal(20, accepted);
    }

    [Fact]
    public void Above_the_limit_the_accepted_rate_is_the_limit_and_slowing_down_is_accepted_at_once()
    {
        var limit = new HiddenRateLimit(burstSeconds: 2, Start);

        var refusedAtTwice = Send(limit, perMinute: 1200, from: Start, seconds: 30, limitPerMinute: 600);
        // A count over a sliding minute would still be full here and refuse everything for another half minute.
        var refusedBelow = Send(limit, perMinute: 540, from: Start + TimeSpan.FromSeconds(30), seconds: 30, limitPerMinute: 600);

        Assert.InRange(refusedAtTwice, 275, 285); // 600 offered, 300 refilled + the 20 of the first burst taken
        Assert.Equal(0, refusedBelow);
    }

    [Fact]
    public void A_lowered_limit_bites_at_once_with_at_most_its_own_burst()
    {
        var limit = new HiddenRateLimit(burstSeconds: 2, Start);
        Assert.True(limit.TryTake(6000, Start + TimeSpan.FromSeconds(10)));

        var accepted = Enumerable.Range(0, 100).Count(_ => limit.TryTake(60, Start + TimeSpan.FromSeconds(10)));

        Assert.Equal(2, accepted);
    }

    private static int Send(HiddenRateLimit limit, double perMinute, DateTimeOffset from, int seconds, double limitPerMinute)
    {
        var count = (int)(perMinute / 60 * seconds);
        var step = TimeSpan.FromSeconds(60 / perMinute);
        return Enumerable.Range(1, count).Count(i => !limit.TryTake(limitPerMinute, from + step * i));
    }
}
