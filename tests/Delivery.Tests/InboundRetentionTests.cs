using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.Delivery.Retention;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>What the inbound MX received is not kept forever (issue 16): deleted after InboundRetention:Retention, in slices.</summary>
public sealed class InboundRetentionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Received_reports_are_deleted_in_slices_after_the_retention_window_and_what_they_changed_stays()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string>
        {
            ["InboundRetention:Retention"] = "2.00:00:00",
            ["InboundRetention:Slice"] = "2",
        });
        var service = Guid.NewGuid();
        await using (var connection = await relay.Database.OpenAsync())
        {
            // Five reports 10 days old (three slices), one from yesterday; the complaint's suppression is what it changed.
            await connection.ExecuteAsync("""
                INSERT INTO inbound_messages (id, service_id, kind, domain, mail_from, recipients, size, data, received_at)
                SELECT gen_random_uuid(), @Service, 'arf', 'customer.test', 'fbl@gmail.test', '{abuse@customer.test}', 1, '\x00',
                       now() - make_interval(days => d)
                FROM unnest(ARRAY[10, 10, 10, 10, 10, 1]) AS d;
                INSERT INTO suppressions (service_id, address, reason, created_at) VALUES (@Service, 'reader@gmail.test', 'Complaint', now() - interval '10 days');
                """, new { Service = service });
        }

        await relay.Services.GetServices<IHostedService>().OfType<InboundRetention>().Single().RunOnceAsync(default);

        var left = await relay.QueryAsync<DateTime>("SELECT received_at FROM inbound_messages WHERE service_id = @Service", new { Service = service });
        Assert.True(Assert.Single(left) > DateTime.UtcNow.AddDays(-2));
        Assert.Equal(1, await relay.QuerySingleAsync<long>("SELECT count(*) FROM suppressions WHERE service_id = @Service", new { Service = service }));
    }
}
