using Dapper;
using ProMTA.Delivery.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Reverse DNS seen again for a live service after a plan change (issue 17): the relay account sends from the new set
/// of IPs and keeps its status, and only the new IPs start warming up; the old one keeps its warm-up day.
/// </summary>
public sealed class PlanChangeRelayTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task More_ips_after_an_upgrade_replace_the_accounts_set_and_only_the_new_ones_warm_up()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var (serviceId, orderId) = (Guid.NewGuid(), Guid.NewGuid());
        var liveAt = new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
        var upgradedAt = liveAt.AddDays(15);
        await host.Database.WriteAsync(async work =>
        {
            await RelayAccounts.CreateAsync(work, serviceId, orderId, "relay-user", ["127.0.9.1"], ["mta1.test"], liveAt);
            await ThrottleState.AddWarmUpsAsync(work, serviceId, ["127.0.9.1"], liveAt);
        });
        await using (var connection = await host.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE relay_accounts SET status = 'Suspended' WHERE service_id = @ServiceId", new { ServiceId = serviceId });
        }

        string[] ips = ["127.0.9.1", "127.0.9.2", "127.0.9.3", "127.0.9.4"];
        await host.Database.WriteAsync(async work =>
        {
            await RelayAccounts.CreateAsync(work, serviceId, orderId, "relay-user", ips, ["mta1.test", "mta2.test", "mta3.test", "mta4.test"], upgradedAt);
            await ThrottleState.AddWarmUpsAsync(work, serviceId, ips, upgradedAt);
        });

        await using var check = await host.Database.OpenAsync();
        var account = await check.QuerySingleAsync<(string[] SourceIps, string Status)>(
            "SELECT source_ips, status FROM relay_accounts WHERE service_id = @ServiceId", new { ServiceId = serviceId });
        Assert.Equal(ips, account.SourceIps);
        Assert.Equal("Suspended", account.Status); // a plan change never lifts a suspension
        var warmUps = (await check.QueryAsync<(string Ip, DateTimeOffset StartedAt)>(
            "SELECT source_ip, started_at FROM ip_warmups WHERE service_id = @ServiceId ORDER BY source_ip", new { ServiceId = serviceId })).ToList();
        Assert.Equal([("127.0.9.1", liveAt), ("127.0.9.2", upgradedAt), ("127.0.9.3", upgradedAt), ("127.0.9.4", upgradedAt)], warmUps);
    }
}
