using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Datacenter;
using ProMTA.Provisioning.Setup;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Provisioning.Tests;

/// <summary>
/// A plan change's IPs (issue 17) on real PostgreSQL: an upgrade adds free addresses to the live server after the
/// ones it has (their hostnames keep their numbers) and asks reverse DNS for all of them; a downgrade quarantines
/// the last ones; both tell Ordering the new set.
/// </summary>
public sealed class PlanChangeIpTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 20, 9, 0, 0, TimeSpan.Zero));
    private readonly IOptions<ProvisioningOptions> options = Options.Create(new ProvisioningOptions { RetryDelay = TimeSpan.Zero, Attempts = 3 });

    [Fact]
    public async Task An_upgrade_adds_ips_after_the_existing_one_and_a_downgrade_quarantines_the_surplus()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var serviceId = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        var datacenter = new RecordingDatacenter();
        var setup = new ServerSetup(datacenter, Retry(), options, time, NullLogger<ServerSetup>.Instance);
        await service.Database.WriteAsync(work => setup.RunAsync(work, orderId, serviceId, 1, time.GetUtcNow().AddDays(1), default));
        await using var connection = await service.Database.OpenAsync();
        var first = (await connection.QuerySingleAsync<string[]>("SELECT ips FROM servers WHERE service_id = @Id", new { Id = serviceId }))[0];
        var change = new ServerIpChange(datacenter, Retry(), options, time, NullLogger<ServerIpChange>.Instance);

        await service.Database.WriteAsync(work => change.RunAsync(work, orderId, serviceId, 4, default));

        var ips = await connection.QuerySingleAsync<string[]>("SELECT ips FROM servers WHERE service_id = @Id", new { Id = serviceId });
        Assert.Equal(4, ips.Length);
        Assert.Equal(first, ips[0]);
        Assert.Equal(ips[1..], datacenter.Assigned[^1]);
        Assert.Equal(4L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM ip_addresses WHERE service_id = @Id AND state = 'allocated'", new { Id = serviceId }));
        var changed = await LastAsync(connection, "DedicatedIpsChanged");
        Assert.Equal(3, changed.GetProperty("added").GetArrayLength());
        var dns = await LastAsync(connection, "ReverseDnsRequested");
        Assert.Equal([$"mta1.s{serviceId:N}.promta.local", $"mta2.s{serviceId:N}.promta.local", $"mta3.s{serviceId:N}.promta.local", $"mta4.s{serviceId:N}.promta.local"],
            dns.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("hostname").GetString()));
        Assert.Equal(ips, dns.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("ip").GetString()));

        await service.Database.WriteAsync(work => change.RunAsync(work, orderId, serviceId, 1, default));
        Assert.Equal([first], await connection.QuerySingleAsync<string[]>("SELECT ips FROM servers WHERE service_id = @Id", new { Id = serviceId }));
        Assert.Equal(["quarantined", "quarantined", "quarantined"], await connection.QueryAsync<string>(
            "SELECT state FROM ip_addresses WHERE host(address) = ANY(@Ips) ORDER BY address", new { Ips = ips[1..] }));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromDays(30), await connection.ExecuteScalarAsync<DateTimeOffset>(
            "SELECT max(quarantined_until) FROM ip_addresses WHERE last_service_id = @Id", new { Id = serviceId }));
        Assert.Equal(ips[1..], (await LastAsync(connection, "DedicatedIpsChanged")).GetProperty("removed").EnumerateArray().Select(e => e.GetString()));
        Assert.Single((await LastAsync(connection, "ReverseDnsRequested")).GetProperty("entries").EnumerateArray());

        // Already at the count (a redelivered event after the inbox was cleaned, a plan with the same IPs): nothing.
        await service.Database.WriteAsync(work => change.RunAsync(work, orderId, serviceId, 1, default));
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%DedicatedIpsChanged'"));
    }

    [Fact]
    public async Task A_service_still_waiting_for_its_review_is_set_up_with_the_new_plans_ips()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var serviceId = Guid.NewGuid();
        await service.Database.WriteAsync(work => SetupRepository.AddAsync(work, new SetupRow(serviceId, Guid.NewGuid(), 1, time.GetUtcNow(), "AwaitingReview"), null));
        var change = new ServerIpChange(new RecordingDatacenter(), Retry(), options, time, NullLogger<ServerIpChange>.Instance);

        await service.Database.WriteAsync(work => change.RunAsync(work, Guid.NewGuid(), serviceId, 4, default));

        await using var connection = await service.Database.OpenAsync();
        Assert.Equal(4, await connection.ExecuteScalarAsync<int>("SELECT dedicated_ips FROM setups WHERE service_id = @Id", new { Id = serviceId }));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_messages"));
    }

    private static async Task<JsonElement> LastAsync(Npgsql.NpgsqlConnection connection, string type) =>
        JsonDocument.Parse(await connection.ExecuteScalarAsync<string>(
            "SELECT body::text FROM outbox_messages WHERE message_type LIKE '%' || @Type ORDER BY created_at DESC LIMIT 1", new { Type = type }) ?? "{}").RootElement;

    private DatacenterRetry Retry() => new(options, time, NullLogger<DatacenterRetry>.Instance);

    private sealed class RecordingDatacenter : IDatacenterProvider
    {
        public List<string[]> Assigned { get; } = [];

        public Task<DatacenterServer> CreateServerAsync(Guid serviceId, string hostname, IReadOnlyList<string> ips, CancellationToken ct) =>
            Task.FromResult(new DatacenterServer($"t-{serviceId:N}", hostname, ips));

        public Task AssignIpsAsync(string serverId, IReadOnlyList<string> ips, CancellationToken ct)
        {
            Assigned.Add([.. ips]);
            return Task.CompletedTask;
        }

        public Task PowerAsync(string serverId, bool on, CancellationToken ct) => Task.CompletedTask;
        public Task DecommissionAsync(string serverId, CancellationToken ct) => Task.CompletedTask;
    }
}
