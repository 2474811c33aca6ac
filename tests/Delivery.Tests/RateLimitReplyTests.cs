using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// After an ISP's rate-limit answer the worker stops sending on that session and hands the rest back to the queue
/// at the controller's new pace: every deferral a recipient shows is an answer the ISP really gave.
/// </summary>
public sealed class RateLimitReplyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Messages = 12;

    [Fact]
    public async Task A_rate_limit_reply_that_keeps_the_session_open_ends_it_anyway()
    {
        // Outlook's answer: a 451 after which the MX would happily go on refusing message after message.
        await using var relay = await StartAsync("451 4.7.650 The mail server [127.0.1.7] has been temporarily rate limited due to IP reputation.");

        await SendAndDeliverAllAsync(relay);

        var counters = relay.Mx.Counters();
        Assert.True(counters.Throttled > 0, "the fake MX never throttled: the test proves nothing");
        Assert.Equal(0, counters.OfferedAfterThrottle);
        await AssertEveryDeferralIsTheIspsAsync(relay);
    }

    [Fact]
    public async Task The_rest_of_a_batch_after_a_421_is_handed_back_without_a_deferral()
    {
        await using var relay = await StartAsync("421 4.7.28 Our system has detected an unusual rate of mail originating from your IP address.");

        await SendAndDeliverAllAsync(relay);

        Assert.True(relay.Mx.Counters().Throttled > 0, "the fake MX never throttled: the test proves nothing");
        await AssertEveryDeferralIsTheIspsAsync(relay);
    }

    /// <summary>A fake MX that takes one message a second (a burst of two) from the relay's dedicated IP.</summary>
    private Task<RelayHost> StartAsync(string throttleReply) => RelayHost.StartAsync(postgres, new FakeProviderOptions
    {
        Name = "Gmail", Domain = "gmail.test", RateLimitPerMinute = 60, ThrottleReply = throttleReply,
    });

    private static async Task SendAndDeliverAllAsync(RelayHost relay)
    {
        using (var client = await relay.ConnectAsync())
        {
            await client.AuthenticateAsync(relay.Username, RelayHost.Password);
            for (var i = 0; i < Messages; i++) await client.SendAsync(RelayHost.Message($"reader{i}@gmail.test"));
        }
        await RelayHost.EventuallyAsync(async () =>
            await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Delivered'") == Messages,
            TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// The relay's deferrals are exactly the ISP's refusals (none invented for mail it never offered), and a claim that
    /// our own pacing held back is not an attempt: each recipient was attempted once more than it was deferred.
    /// </summary>
    private static async Task AssertEveryDeferralIsTheIspsAsync(RelayHost relay)
    {
        Assert.Equal(relay.Mx.Counters().Throttled, await relay.QuerySingleAsync<long>("SELECT sum(deferrals) FROM recipients"));
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE attempts <> deferrals + 1"));
    }
}
