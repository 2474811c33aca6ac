using DnsClient;
using DnsClient.Protocol;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Publishing;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

public sealed class ServiceDnsRemovalTests(PostgresFixture postgres, PowerDnsFixture powerDns)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task Decommission_removes_the_ptr_the_forward_a_and_the_sending_zone_and_a_redelivery_is_harmless()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (serviceId, domain, ip) = (Guid.NewGuid(), $"g{Guid.NewGuid():N}"[..12] + ".test", "127.0.3.44");
        var hostname = $"mta1.s{serviceId:N}.promta.local.";
        await dns.HostDomainAsync(serviceId, domain, [ip]);
        await dns.PublishReverseAsync(serviceId, ip, hostname);
        var resolver = dns.Resolver;
        Assert.NotEmpty((await resolver.QueryAsync(ReverseZones.PtrName(ip), QueryType.PTR)).Answers.OfType<PtrRecord>());

        var removal = new ServiceDnsRemoval(dns.PowerDns, dns.Time);
        for (var delivery = 0; delivery < 2; delivery++)
        {
            await dns.Database.Database.WriteAsync(work => removal.RunAsync(work, serviceId, default));
        }

        Assert.Empty((await resolver.QueryAsync(ReverseZones.PtrName(ip), QueryType.PTR)).Answers.OfType<PtrRecord>());
        Assert.Empty((await resolver.QueryAsync(hostname, QueryType.A)).Answers.OfType<ARecord>());
        Assert.Empty((await resolver.QueryAsync(domain, QueryType.SOA)).Answers.OfType<SoaRecord>());
        Assert.Empty(await PublishedRecords.ForServiceAsync(dns.Database.Database, serviceId, default));
    }
}
