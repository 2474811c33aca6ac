using Microsoft.Extensions.Time.Testing;
using ProMTA.Delivery.Domain;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class AuthThrottleTests
{
    [Fact]
    public void Failures_are_slowed_then_locked_out_per_ip_and_per_username_for_a_while()
    {
        var time = new FakeTimeProvider();
        var throttle = new AuthThrottle(time, maxFailures: 3, window: TimeSpan.FromMinutes(15), lockout: TimeSpan.FromMinutes(15));

        var first = throttle.RecordFailure("ip:1.2.3.4", "user:svc-a");
        var second = throttle.RecordFailure("ip:1.2.3.4", "user:svc-a");
        Assert.True(second > first);
        Assert.False(throttle.IsLockedOut("ip:1.2.3.4", "user:svc-b"));
        throttle.RecordFailure("ip:1.2.3.4", "user:svc-a");

        Assert.True(throttle.IsLockedOut("ip:1.2.3.4", "user:svc-b"));  // the IP, whichever account it tries
        Assert.True(throttle.IsLockedOut("ip:5.6.7.8", "user:svc-a"));  // the account, from whichever IP
        Assert.False(throttle.IsLockedOut("ip:5.6.7.8", "user:svc-b"));
        time.Advance(TimeSpan.FromMinutes(16));
        Assert.False(throttle.IsLockedOut("ip:1.2.3.4", "user:svc-a"));
    }

    [Fact]
    public void Backoff_grows_with_attempts_and_stays_within_its_jitter()
    {
        var initial = TimeSpan.FromMinutes(1);
        var max = TimeSpan.FromHours(1);
        Assert.Equal(TimeSpan.FromSeconds(45), Backoff.Next(1, initial, max, 0));
        Assert.Equal(TimeSpan.FromSeconds(150), Backoff.Next(2, initial, max, 1));
        Assert.Equal(TimeSpan.FromMinutes(75), Backoff.Next(30, initial, max, 1));
    }

    [Theory]
    [InlineData("gmail.com", "Gmail")]
    [InlineData("gmail.test", "Gmail")]
    [InlineData("yahoo.co.uk", "Yahoo")]
    [InlineData("outlook.test", "Outlook")]
    [InlineData("example.test", "Other")]
    public void Recipient_domains_map_to_providers(string domain, string provider) => Assert.Equal(provider, Providers.ForDomain(domain));
}
