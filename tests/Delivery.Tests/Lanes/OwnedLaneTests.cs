using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.MailPolicy.WarmUp;
using Xunit;

namespace ProMTA.Delivery.Tests.Lanes;

/// <summary>A held lane's warm-up sends: taken from what was reserved, reserved again in blocks, never past what the shared counter grants.</summary>
public sealed class OwnedLaneTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly WarmUpDay Day1 = new(T0, T0.AddDays(1), 25);

    [Fact]
    public async Task Sends_come_from_blocks_the_shared_counter_granted_and_stop_when_it_grants_none()
    {
        var lane = new OwnedLane(T0.AddSeconds(10));
        var counter = new Counter(Day1.Cap);
        var sent = 0;
        while (await lane.TakeWarmUpSendAsync(Day1, () => counter.Reserve(10), default)) sent++;

        Assert.Equal(25, sent);
        Assert.Equal([10, 10, 5, 0], counter.Grants);
        Assert.True(lane.Spent(Day1));
        // Spent: no more statements for the rest of the day.
        Assert.False(await lane.TakeWarmUpSendAsync(Day1, () => counter.Reserve(10), default));
        Assert.Equal(4, counter.Grants.Count);
    }

    [Fact]
    public async Task A_send_the_pace_refused_stays_reserved_and_what_is_left_goes_back_when_the_lane_goes()
    {
        var lane = new OwnedLane(T0.AddSeconds(10));
        var counter = new Counter(Day1.Cap);
        Assert.True(await lane.TakeWarmUpSendAsync(Day1, () => counter.Reserve(10), default));
        lane.GiveBack(Day1);
        Assert.True(await lane.TakeWarmUpSendAsync(Day1, () => counter.Reserve(10), default));
        Assert.False(lane.Spent(Day1));

        Assert.Equal((T0, 9L), lane.TakeUnused());
        Assert.Null(lane.TakeUnused());
        Assert.Single(counter.Grants);
    }

    [Fact]
    public async Task A_new_warm_up_day_starts_without_the_old_days_reservation()
    {
        var lane = new OwnedLane(T0.AddSeconds(10));
        var counter = new Counter(Day1.Cap);
        Assert.True(await lane.TakeWarmUpSendAsync(Day1, () => counter.Reserve(10), default));
        var day2 = new WarmUpDay(T0.AddDays(1), T0.AddDays(2), 35);
        var next = new Counter(day2.Cap);
        Assert.True(await lane.TakeWarmUpSendAsync(day2, () => next.Reserve(10), default));
        Assert.Equal((day2.StartsAt, 9L), lane.TakeUnused());
    }

    [Fact]
    public void A_lane_is_paced_until_its_validity_ends_and_a_renewal_extends_it()
    {
        var lane = new OwnedLane(T0.AddSeconds(10));
        Assert.True(lane.Valid(T0.AddSeconds(9)));
        Assert.False(lane.Valid(T0.AddSeconds(10)));
        lane.Renewed(T0.AddSeconds(20));
        Assert.True(lane.Valid(T0.AddSeconds(19)));
        lane.Renewed(T0.AddSeconds(5)); // a late answer to an older renewal shortens nothing
        Assert.True(lane.Valid(T0.AddSeconds(19)));
    }

    /// <summary>The shared counter's rule (ThrottleState.ReserveWarmUpSendsAsync): least(block, cap - reserved).</summary>
    private sealed class Counter(long cap)
    {
        private long reserved;
        public List<long> Grants { get; } = [];

        public Task<long> Reserve(long block)
        {
            var granted = Math.Min(block, cap - reserved);
            reserved += granted;
            Grants.Add(granted);
            return Task.FromResult(granted);
        }
    }
}
