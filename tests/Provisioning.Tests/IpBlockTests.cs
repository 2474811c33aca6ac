using Dapper;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Domain;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Provisioning.Tests;

public sealed class IpBlockTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_new_block_adds_its_host_addresses_and_blocked_ones_are_never_allocated_until_released()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        Assert.True(IpBlockRange.TryParse("10.20.0.0/29", out var range, out _));
        await using (var work = await service.Database.BeginAsync())
        {
            Assert.True(await IpBlocks.AddAsync(work, range!.Cidr, range.Hosts, "test block", DateTimeOffset.UtcNow));
            Assert.False(await IpBlocks.AddAsync(work, "10.20.0.4/30", 2, null, DateTimeOffset.UtcNow)); // overlaps
            Assert.Equal(AddressChange.Done, await IpBlocks.BlockAsync(work, "10.20.0.1", "listed on a blocklist"));
            Assert.Equal(AddressChange.Done, await IpBlocks.BlockAsync(work, "10.20.0.2", "reserved"));
            Assert.Equal(AddressChange.NotFound, await IpBlocks.BlockAsync(work, "10.99.0.1", "not ours"));
            await work.CommitAsync();
        }
        var block = Assert.Single(await IpBlocks.SummaryAsync(service.Database, default), b => b.Cidr == "10.20.0.0/29");
        Assert.Equal((4, 0, 0, 2), (block.Free, block.Allocated, block.Quarantined, block.Blocked));

        var serviceId = Guid.NewGuid();
        await using (var work = await service.Database.BeginAsync())
        {
            var ips = await IpPool.AllocateAsync(work, serviceId, 4, DateTimeOffset.UtcNow);
            Assert.Equal(["10.20.0.3", "10.20.0.4", "10.20.0.5", "10.20.0.6"], ips);
            // An address a live service holds cannot be blocked under its feet.
            Assert.Equal(AddressChange.WrongState, await IpBlocks.BlockAsync(work, "10.20.0.3", "complaint"));
            Assert.Equal(AddressChange.Done, await IpBlocks.UnblockAsync(work, "10.20.0.1"));
            Assert.Equal(AddressChange.WrongState, await IpBlocks.UnblockAsync(work, "10.20.0.1"));
            await work.CommitAsync();
        }
        await using var connection = await service.Database.OpenAsync();
        Assert.Equal("free", await connection.ExecuteScalarAsync<string>("SELECT state FROM ip_addresses WHERE address = '10.20.0.1'"));
        Assert.Equal("blocked", await connection.ExecuteScalarAsync<string>("SELECT state FROM ip_addresses WHERE address = '10.20.0.2'"));
    }

    [Fact]
    public async Task The_seeded_loopback_pool_is_recorded_as_three_blocks()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var blocks = await IpBlocks.SummaryAsync(service.Database, default);
        Assert.Equal(["127.0.1.0/24", "127.0.2.0/24", "127.0.3.0/24"], blocks.Select(b => b.Cidr));
        Assert.All(blocks, b => Assert.Equal(254, b.Free));
    }

    [Theory]
    [InlineData("203.0.113.0/24", true, 254)]
    [InlineData("10.0.0.0/16", true, 65534)]
    [InlineData("10.0.0.0/30", true, 2)]
    [InlineData("10.0.0.0/8", false, 0)]      // too large at once
    [InlineData("10.0.0.0/31", false, 0)]     // no host addresses
    [InlineData("203.0.113.5/24", false, 0)]  // not the network address
    [InlineData("2001:db8::/64", false, 0)]
    [InlineData("not a block", false, 0)]
    public void Blocks_are_IPv4_networks_of_sensible_size(string cidr, bool valid, int hosts)
    {
        Assert.Equal(valid, IpBlockRange.TryParse(cidr, out var range, out var problem));
        if (valid) Assert.Equal(hosts, range!.Hosts);
        else Assert.NotEmpty(problem);
    }
}
