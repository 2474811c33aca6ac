using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.History;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>The history behind the portal's delivery chart (issue 18): counted per provider and bucket as events are recorded.</summary>
public sealed class DeliveryHistoryTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Mail_through_the_relay_is_counted_per_provider_in_minute_hour_and_day_buckets()
    {
        await using var relay = await RelayHost.StartAsync(postgres, new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", GreylistAttempts = 1 });

        await relay.SubmitAsync("grace@gmail.test", "unknown-user@gmail.test");
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Queued'") == 0);

        foreach (var step in new[] { HistoryRange.Minute, HistoryRange.Hour, HistoryRange.Day })
        {
            var rows = await DeliveryHistory.RangeAsync(relay.Database, relay.ServiceId, step, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(1), default);
            Assert.All(rows, r => Assert.Equal("Gmail", r.Provider));
            Assert.Equal((1L, 1L, 1L, 0L), (rows.Sum(r => r.Delivered), rows.Sum(r => r.Deferred), rows.Sum(r => r.Bounced), rows.Sum(r => r.Expired)));
        }
        Assert.Empty(await DeliveryHistory.RangeAsync(relay.Database, Guid.NewGuid(), HistoryRange.Hour, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), default));
    }

    [Fact]
    public async Task Events_written_in_one_statement_or_many_land_in_the_bucket_of_their_own_time_and_accepted_mail_is_not_counted()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var hour = new DateTimeOffset(2026, 12, 5, 14, 0, 0, TimeSpan.Zero);
        await InsertAsync(relay, ("Gmail", "delivered", hour.AddMinutes(1)), ("Gmail", "delivered", hour.AddMinutes(1).AddSeconds(30)),
            ("Gmail", "accepted", hour.AddMinutes(1)), ("Yahoo", "deferred", hour.AddMinutes(2)), ("Gmail", "bounced", hour.AddMinutes(61)));
        await InsertAsync(relay, ("Gmail", "delivered", hour.AddMinutes(1).AddSeconds(59)));

        var minutes = await DeliveryHistory.RangeAsync(relay.Database, relay.ServiceId, HistoryRange.Minute, hour, hour.AddHours(2), default);
        Assert.Equal(
            [new HistoryBucket("Gmail", hour.AddMinutes(1), 3, 0, 0, 0), new HistoryBucket("Gmail", hour.AddMinutes(61), 0, 0, 1, 0),
             new HistoryBucket("Yahoo", hour.AddMinutes(2), 0, 1, 0, 0)],
            minutes);
        var hours = await DeliveryHistory.RangeAsync(relay.Database, relay.ServiceId, HistoryRange.Hour, hour, hour.AddHours(2), default);
        Assert.Equal(
            [new HistoryBucket("Gmail", hour, 3, 0, 0, 0), new HistoryBucket("Gmail", hour.AddHours(1), 0, 0, 1, 0), new HistoryBucket("Yahoo", hour, 0, 1, 0, 0)],
            hours);
    }

    [Fact]
    public async Task Counts_read_the_same_before_and_after_they_are_folded_and_a_second_fold_adds_nothing()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var hour = new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
        await InsertAsync(relay, ("Gmail", "delivered", hour.AddMinutes(1)), ("Gmail", "expired", hour.AddMinutes(1)));
        var compaction = relay.Services.GetServices<IHostedService>().OfType<HistoryCompaction>().Single();
        await compaction.RunOnceAsync(default);
        // These stay unfolded: the reader adds them to the folded row of the same bucket.
        await InsertAsync(relay, ("Gmail", "delivered", hour.AddMinutes(1).AddSeconds(5)), ("Gmail", "deferred", hour.AddMinutes(3)));

        async Task<IReadOnlyList<HistoryBucket>> HoursAsync() =>
            await DeliveryHistory.RangeAsync(relay.Database, relay.ServiceId, HistoryRange.Hour, hour, hour.AddHours(1), default);
        var expected = new[] { new HistoryBucket("Gmail", hour, 2, 1, 0, 1) };
        Assert.Equal(expected, await HoursAsync());
        await compaction.RunOnceAsync(default);
        Assert.Equal(expected, await HoursAsync());
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM history_deltas"));
        await compaction.RunOnceAsync(default);
        Assert.Equal(expected, await HoursAsync());
    }

    [Fact]
    public async Task The_retention_job_drops_minute_buckets_after_their_short_keep_and_hour_buckets_with_the_events()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string>
        {
            ["DeliveryEvents:Retention"] = "10.00:00:00", ["DeliveryHistory:MinuteRetention"] = "1.00:00:00",
        });
        var now = DateTimeOffset.UtcNow;
        await InsertAsync(relay, ("Gmail", "delivered", now.AddDays(-3)), ("Gmail", "delivered", now.AddDays(-20)), ("Gmail", "delivered", now.AddMinutes(-5)));

        await relay.Services.GetServices<IHostedService>().OfType<HistoryCompaction>().Single().RunOnceAsync(default);
        var job = relay.Services.GetServices<IHostedService>().OfType<DeliveryHistoryRetention>().Single();
        await job.RunOnceAsync(default);

        var kept = await relay.QueryAsync<(string Step, int DaysAgo)>(
            "SELECT step, extract(day FROM now() - bucket)::int FROM delivery_history WHERE service_id = @ServiceId ORDER BY step, bucket", new { relay.ServiceId });
        Assert.Equal([("day", 3), ("day", 0), ("hour", 3), ("hour", 0), ("minute", 0)], kept);
    }

    private static async Task InsertAsync(RelayHost relay, params (string Provider, string Event, DateTimeOffset At)[] events)
    {
        await using var connection = await relay.Database.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, occurred_at)
            SELECT @ServiceId, gen_random_uuid(), n, 'r' || n || '@example.test', p, e, t
            FROM unnest(@Providers, @Events, @Times) WITH ORDINALITY AS x (p, e, t, n)
            """, new
        {
            relay.ServiceId,
            Providers = events.Select(e => e.Provider).ToArray(),
            Events = events.Select(e => e.Event).ToArray(),
            Times = events.Select(e => e.At.UtcDateTime).ToArray(),
        });
    }
}
