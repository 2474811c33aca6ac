using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Datacenter;
using ProMTA.Provisioning.Setup;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Provisioning.Tests;

public sealed class SetupAndDecommissionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly IOptions<ProvisioningOptions> options = Options.Create(new ProvisioningOptions { RetryDelay = TimeSpan.Zero, Attempts = 3 });

    [Fact]
    public async Task Decommission_quarantines_the_ips_for_30_days_before_they_return_to_the_pool()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var serviceId = Guid.NewGuid();
        var ips = await SetUpAsync(service, serviceId, new FlakyDatacenter(failures: 0));
        var decommission = new ServerDecommission(new FlakyDatacenter(0), Retry(), options, time, NullLogger<ServerDecommission>.Instance);
        for (var delivery = 0; delivery < 2; delivery++)
        {
            await service.Database.WriteAsync(work => decommission.RunAsync(work, Guid.NewGuid(), serviceId, default));
        }

        await using var connection = await service.Database.OpenAsync();
        Assert.Equal(["quarantined", "quarantined"], await StatesAsync(connection, ips));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM outbox_messages WHERE message_type = 'ProMTA.Contracts.Provisioning.ServerDecommissioned'"));

        var housekeeping = new Housekeeping(service.Database, new QuarantineCheck(Options.Create(new QuarantineCheckOptions())), options, time,
            new TestMeterFactory(), new MigrationState(), NullLogger<Housekeeping>.Instance);
        time.Advance(TimeSpan.FromDays(29));
        await housekeeping.RunOnceAsync(default);
        Assert.Equal(["quarantined", "quarantined"], await StatesAsync(connection, ips));
        time.Advance(TimeSpan.FromDays(1));
        await housekeeping.RunOnceAsync(default);
        Assert.Equal(["free", "free"], await StatesAsync(connection, ips));
    }

    [Fact]
    public async Task A_failing_datacenter_is_retried_and_a_setup_that_keeps_failing_is_listed_for_operators()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        Assert.Equal(2, (await SetUpAsync(service, Guid.NewGuid(), new FlakyDatacenter(failures: 2))).Count);

        var doomed = Guid.NewGuid();
        await SetUpAsync(service, doomed, new FlakyDatacenter(failures: int.MaxValue));
        var attention = await SetupRepository.NeedingAttentionAsync(service.Database, time.GetUtcNow(), TimeSpan.FromHours(4), default);
        var failed = Assert.Single(attention);
        Assert.Equal((doomed, "Failed"), (failed.ServiceId, failed.Status));
        Assert.Contains("failed 3 times", failed.Failure);
        await using var connection = await service.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM outbox_messages WHERE message_type = 'ProMTA.Contracts.Provisioning.ServerSetupFailed'"));
    }

    private async Task<IReadOnlyList<string>> SetUpAsync(ServiceDatabaseHost service, Guid serviceId, IDatacenterProvider datacenter)
    {
        var setup = new ServerSetup(datacenter, Retry(), options, time, NullLogger<ServerSetup>.Instance);
        await using var work = await service.Database.BeginAsync();
        var deadline = time.GetUtcNow().AddDays(1);
        await SetupRepository.AddAsync(work, new SetupRow(serviceId, Guid.NewGuid(), 2, time.GetUtcNow(), "Done"), deadline);
        await setup.RunAsync(work, Guid.NewGuid(), serviceId, 2, deadline, default);
        var ips = await IpPool.AllocateAsync(work, serviceId, 2, time.GetUtcNow());
        await work.CommitAsync();
        return ips;
    }

    private DatacenterRetry Retry() => new(options, time, NullLogger<DatacenterRetry>.Instance);

    private static async Task<List<string>> StatesAsync(Npgsql.NpgsqlConnection connection, IReadOnlyList<string> ips) =>
        [.. await connection.QueryAsync<string>("SELECT state FROM ip_addresses WHERE host(address) = ANY(@Ips) ORDER BY address", new { Ips = ips.ToArray() })];

    /// <summary>A datacenter whose create call fails the first <c>failures</c> times.</summary>
    private sealed class FlakyDatacenter(int failures) : IDatacenterProvider
    {
        private int calls;

        public Task<DatacenterServer> CreateServerAsync(Guid serviceId, string hostname, IReadOnlyList<string> ips, CancellationToken ct) =>
            ++calls <= failures ? throw new DatacenterException("rack not ready") : Task.FromResult(new DatacenterServer($"t-{serviceId:N}", hostname, ips));

        public Task AssignIpsAsync(string serverId, IReadOnlyList<string> ips, CancellationToken ct) => Task.CompletedTask;
        public Task PowerAsync(string serverId, bool on, CancellationToken ct) => Task.CompletedTask;
        public Task DecommissionAsync(string serverId, CancellationToken ct) => Task.CompletedTask;
    }
}
