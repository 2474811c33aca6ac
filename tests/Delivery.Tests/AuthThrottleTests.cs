using Microsoft.Extensions.Time.Testing;
using ProMTA.Delivery.Domain;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class AuthThrottleTests
{
    [Fact]
    public void Failures_are_slowed_then_locked_out_per_ip_and_username_without_locking_the_owner_out_elsewhere()
    {
        var time = new FakeTimeProvider();
        var throttle = new AuthThrottle(time, maxFailures: 3, maxClientFailures: 6, window: TimeSpan.FromMinutes(15), lockout: TimeSpan.FromMinutes(15));

        var first = throttle.RecordFailure("1.2.3.4", "svc-a");
        var second = throttle.RecordFailure("1.2.3.4", "svc-a");
        Assert.True(second > first);
        throttle.RecordFailure("1.2.3.4", "svc-a");

        Assert.True(throttle.IsLockedOut("1.2.3.4", "svc-a"));   // this IP against this account
        Assert.False(throttle.IsLockedOut("5.6.7.8", "svc-a"));  // the owner, from their own IP, is not locked out
        Assert.False(throttle.IsLockedOut("1.2.3.4", "svc-b"));  // below the per-IP limit
        time.Advance(TimeSpan.FromMinutes(16));
        Assert.False(throttle.IsLockedOut("1.2.3.4", "svc-a"));
    }

    [Fact]
    public void One_ip_spraying_many_accounts_is_locked_out_for_all_of_them()
    {
        var throttle = new AuthThrottle(new FakeTimeProvider(), maxFailures: 3, maxClientFailures: 6, window: TimeSpan.FromMinutes(15), lockout: TimeSpan.FromMinutes(15));

        foreach (var user in new[] { "a", "b", "c", "d", "e", "f" }) throttle.RecordFailure("1.2.3.4", user);

        Assert.True(throttle.IsLockedOut("1.2.3.4", "never-tried"));
        Assert.False(throttle.IsLockedOut("5.6.7.8", "a"));
    }

    [Fact]
    public void A_success_clears_that_accounts_failures_from_that_ip()
    {
        var throttle = new AuthThrottle(new FakeTimeProvider(), maxFailures: 3, maxClientFailures: 10, window: TimeSpan.FromMinutes(15), lockout: TimeSpan.FromMinutes(15));
        throttle.RecordFailure("1.2.3.4", "svc-a");
        throttle.RecordFailure("1.2.3.4", "svc-a");

        throttle.RecordSuccess("1.2.3.4", "svc-a");
        throttle.RecordFailure("1.2.3.4", "svc-a");

        Assert.False(throttle.IsLockedOut("1.2.3.4", "svc-a"));
    }

    [Fact]
    public void A_deferred_recipient_waits_longer_with_each_attempt_within_its_jitter()
    {
        var retry = new Outbound.OutboundOptions().Retry;
        Assert.Equal(TimeSpan.FromSeconds(45), retry.After(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(150), retry.After(2, 1));
        Assert.Equal(TimeSpan.FromMinutes(75), retry.After(30, 1));
    }

    [Fact]
    public void Failed_passwords_are_answered_slower_and_slower_up_to_four_seconds()
    {
        var throttle = new AuthThrottle(new FakeTimeProvider(), 100, 1000, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15));
        var waits = Enumerable.Range(0, 7).Select(_ => throttle.RecordFailure("1.2.3.4", "svc-a")).ToList();
        Assert.Equal([250, 500, 1000, 2000, 4000, 4000, 4000], waits.Select(w => w.TotalMilliseconds));
    }
}
