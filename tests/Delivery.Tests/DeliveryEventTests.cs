using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Events;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class DeliveryEventTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Each_recipient_logs_accepted_then_deferred_delivered_or_bounced_counted_per_provider()
    {
        await using var relay = await RelayHost.StartAsync(postgres, new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", GreylistAttempts = 1 });

        await relay.SubmitAsync("grace@gmail.test", "unknown-user@gmail.test");
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Queued'") == 0);

        var log = await EventsAsync(relay);
        Assert.Equal(["accepted", "deferred", "delivered"], log.Where(e => e.Recipient == "grace@gmail.test").Select(e => e.Event));
        // A user that does not exist is put on the suppression list: that is an event too (issue 16's webhooks).
        Assert.Equal(["accepted", "bounced", "suppressed"], log.Where(e => e.Recipient == "unknown-user@gmail.test").Select(e => e.Event));
        Assert.StartsWith("HardBounce: 550 5.1.1", log.Single(e => e.Event == "suppressed").Reply);
        Assert.StartsWith("550 5.1.1", log.Single(e => e.Event == "bounced").Reply);
        Assert.StartsWith("451 4.7.1", log.Single(e => e.Event == "deferred").Reply);
        Assert.All(log, e => Assert.Equal("Gmail", e.Provider));

        var counts = await DeliveryEvents.CountsAsync(relay.Database, relay.ServiceId, DateTimeOffset.UtcNow.AddHours(-1), default);
        Assert.Equal(new Dictionary<string, (long, long)> { ["accepted"] = (2, 2), ["deferred"] = (1, 1), ["delivered"] = (1, 1), ["bounced"] = (1, 1), ["suppressed"] = (1, 1) },
            counts.ToDictionary(c => c.Event, c => (c.Total, c.Recent)));
        // Another service's counts are its own.
        Assert.Empty(await DeliveryEvents.CountsAsync(relay.Database, Guid.NewGuid(), DateTimeOffset.UtcNow.AddHours(-1), default));
    }

    [Fact]
    public async Task A_recipient_deferred_past_the_message_lifetime_expires_as_its_own_event()
    {
        await using var relay = await RelayHost.StartAsync(postgres, new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", GreylistAttempts = 1000 },
            settings: _ => new Dictionary<string, string> { ["Delivery:MessageLifetime"] = "00:00:02" });

        await relay.SubmitAsync("late@gmail.test");
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<string>("SELECT status FROM recipients WHERE address = 'late@gmail.test'") != "Queued");

        Assert.Equal("Expired", await relay.QuerySingleAsync<string>("SELECT bounce_class FROM recipients WHERE address = 'late@gmail.test'"));
        var log = await EventsAsync(relay);
        Assert.Equal("accepted", log[0].Event);
        Assert.Equal("expired", log[^1].Event);
        Assert.All(log[1..^1], e => Assert.Equal("deferred", e.Event));
        Assert.DoesNotContain(log, e => e.Event == "bounced");
    }

    [Fact]
    public async Task The_retention_job_removes_events_older_than_the_retention_period_only()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string> { ["DeliveryEvents:Retention"] = "2.00:00:00" });
        await using (var connection = await relay.Database.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, occurred_at)
                SELECT @ServiceId, gen_random_uuid(), n, 'r' || n || '@gmail.test', 'Gmail', 'delivered', now() - make_interval(days => n)
                FROM generate_series(1, 5) AS n
                """, new { relay.ServiceId });
        }

        var job = relay.Services.GetServices<IHostedService>().OfType<DeliveryEventRetention>().Single();
        await job.RunOnceAsync(default);

        Assert.Equal(["r1@gmail.test"], (await EventsAsync(relay)).Select(e => e.Recipient));
    }

    private sealed record EventRow(string Recipient, string Provider, string Event, string? Reply);

    private static async Task<List<EventRow>> EventsAsync(RelayHost relay)
    {
        await using var connection = await relay.Database.OpenAsync();
        return [.. await connection.QueryAsync<EventRow>("SELECT recipient, provider, event, reply FROM delivery_events ORDER BY id")];
    }
}
