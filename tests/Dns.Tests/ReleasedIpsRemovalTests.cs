using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Publishing;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

/// <summary>A downgrade's released IPs (issue 17) lose their PTR and forward A records on the real PowerDNS; the IPs the service keeps do not.</summary>
public sealed class ReleasedIpsRemovalTests(PostgresFixture postgres, PowerDnsFixture powerDns)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task Only_the_released_ips_lose_their_reverse_and_forward_records_and_a_redelivery_is_harmless()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var serviceId = Guid.NewGuid();
        var (kept, released) = ("127.0.3.61", "127.0.3.62");
        var (keptHost, releasedHost) = ($"mta1.s{serviceId:N}.promta.local.", $"mta2.s{serviceId:N}.promta.local.");
        await dns.PublishReverseAsync(serviceId, kept, keptHost);
        await dns.PublishReverseAsync(serviceId, released, releasedHost);

        var removal = new ReleasedIpsRemoval(dns.PowerDns, Options.Create(new DnsOptions()));
        for (var delivery = 0; delivery < 2; delivery++)
        {
            await dns.Database.Database.WriteAsync(work => removal.RunAsync(work, serviceId, [released], default));
        }

        var resolver = dns.Resolver;
        Assert.Empty((await resolver.QueryAsync(ReverseZones.PtrName(released), QueryType.PTR)).Answers.OfType<PtrRecord>());
        Assert.Empty((await resolver.QueryAsync(releasedHost, QueryType.A)).Answers.OfType<ARecord>());
        Assert.NotEmpty((await resolver.QueryAsync(ReverseZones.PtrName(kept), QueryType.PTR)).Answers.OfType<PtrRecord>());
        Assert.NotEmpty((await resolver.QueryAsync(keptHost, QueryType.A)).Answers.OfType<ARecord>());
        Assert.Equal(2, (await PublishedRecords.ForServiceAsync(dns.Database.Database, serviceId, default)).Count);
    }
}
