using ProMTA.Provisioning.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Provisioning.Tests;

public sealed class IpPoolTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Concurrent_allocations_never_hand_one_address_to_two_services()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var services = Enumerable.Range(0, 40).Select(_ => Guid.NewGuid()).ToList();

        var allocations = await Task.WhenAll(services.Select(serviceId =>
            service.Database.WriteAsync(work => IpPool.AllocateAsync(work, serviceId, 4, DateTimeOffset.UtcNow))));

        Assert.All(allocations, ips => Assert.Equal(4, ips.Count));
        var all = allocations.SelectMany(ips => ips).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task A_redelivered_allocation_returns_the_same_addresses()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var serviceId = Guid.NewGuid();
        var first = await service.Database.WriteAsync(work => IpPool.AllocateAsync(work, serviceId, 2, DateTimeOffset.UtcNow));
        var second = await service.Database.WriteAsync(work => IpPool.AllocateAsync(work, serviceId, 2, DateTimeOffset.UtcNow));
        Assert.Equal(first, second);
        Assert.All(first, ip => Assert.StartsWith("127.0.", ip));
    }
}
