using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Setup;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Reputation;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Provisioning.Tests;

/// <summary>
/// Issue 20: an address whose quarantine is over is looked up in the DNS blocklists (served here by a real PowerDNS)
/// before it goes back to the pool; a listed one, or one a list gave no usable answer for, stays quarantined with the reason.
/// </summary>
public sealed class QuarantineCheckTests(PostgresFixture postgres, PowerDnsFixture dns) : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task A_listed_address_stays_quarantined_and_a_clean_one_returns_to_the_pool()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var serviceId = Guid.NewGuid();
        var ips = await service.Database.WriteAsync(work => IpPool.AllocateAsync(work, serviceId, 3, time.GetUtcNow()));
        await service.Database.WriteAsync(work => IpPool.QuarantineAsync(work, serviceId, time.GetUtcNow().AddDays(30)));
        string Reversed(string ip) => string.Join('.', ip.Split('.').Reverse()) + ".bl.test.";
        using (var api = dns.NewApiClient())
        {
            using var created = await api.PostAsJsonAsync("api/v1/servers/localhost/zones", new { name = "bl.test.", kind = "Native", nameservers = new[] { "ns1.promta.local." } });
            using var patched = await api.PatchAsJsonAsync("api/v1/servers/localhost/zones/bl.test.", new
            {
                rrsets = new[]
                {
                    new { name = Reversed(ips[0]), type = "A", ttl = 1, changetype = "REPLACE", records = new[] { new { content = "127.0.0.2", disabled = false } } },
                    // A refused query (Spamhaus' answer to public resolvers): no verdict, so not released either.
                    new { name = Reversed(ips[1]), type = "A", ttl = 1, changetype = "REPLACE", records = new[] { new { content = "127.255.255.254", disabled = false } } },
                },
            });
            patched.EnsureSuccessStatusCode();
        }
        var check = new QuarantineCheck(Options.Create(new QuarantineCheckOptions
        {
            Blocklists = [new BlocklistZone { Zone = "bl.test" }],
            Resolvers = [dns.DnsEndpoint.ToString()],
        }));
        var housekeeping = new Housekeeping(service.Database, check, Options.Create(new ProvisioningOptions()), time, new TestMeterFactory(), new MigrationState(),
            NullLogger<Housekeeping>.Instance);

        time.Advance(TimeSpan.FromDays(30));
        await housekeeping.RunOnceAsync(default);

        await using var connection = await service.Database.OpenAsync();
        var rows = (await connection.QueryAsync<(string Address, string State, string? Blocklisted, DateTime? Until)>(
            "SELECT host(address), state, blocklisted, quarantined_until FROM ip_addresses WHERE host(address) = ANY(@Ips) ORDER BY address", new { Ips = ips.ToArray() }))
            .ToDictionary(r => r.Address);
        Assert.Equal(("quarantined", "listed by bl.test: 127.0.0.2"), (rows[ips[0]].State, rows[ips[0]].Blocklisted));
        Assert.Equal(time.GetUtcNow().AddDays(1).UtcDateTime, rows[ips[0]].Until);
        Assert.Equal("quarantined", rows[ips[1]].State);
        Assert.Contains("no usable answer", rows[ips[1]].Blocklisted);
        Assert.Equal(("free", (string?)null), (rows[ips[2]].State, rows[ips[2]].Blocklisted));
    }
}
