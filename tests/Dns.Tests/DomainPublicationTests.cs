using ProMTA.Contracts.Dns;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

/// <summary>
/// A domain seen delegated is published by DomainPublisher's own loop: the delegation check only queues it, so the
/// monitor's steps never wait while DKIM keys (RSA 2048) are made for a fleet's worth of domains delegated at once.
/// </summary>
public sealed class DomainPublicationTests(PostgresFixture postgres, PowerDnsFixture powerDns)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task The_delegation_check_queues_the_domains_and_the_publication_loop_makes_their_keys_and_records_once()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var domains = new List<(Guid ServiceId, string Domain, string Ip)>();
        for (var i = 0; i < 3; i++)
        {
            var (serviceId, domain, ip) = (Guid.NewGuid(), $"q{i}{Guid.NewGuid():N}"[..14] + ".test", $"127.0.5.{10 + i}");
            await dns.HostPendingAsync(serviceId, domain, Guid.NewGuid(), [ip]);
            domains.Add((serviceId, domain, ip));
        }

        // Locally the delegation resolvers are our PowerDNS, which serves the pending zones' NS: all three are seen delegated.
        Assert.Equal(3, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        // The check made no key and published nothing: that is the publication loop's work.
        Assert.Equal(0, await dns.OutboxCountAsync<DkimKeyPublished>());
        Assert.Equal(0, await dns.OutboxCountAsync<SendingDomainVerified>());
        foreach (var (_, domain, _) in domains) Assert.Empty(await dns.TxtAsync(domain));

        var published = 0;
        for (int n; (n = await dns.Publication.RunDueAsync(dns.Database.Database, default)) > 0;) published += n;
        Assert.Equal(3, published);
        Assert.Equal(3, await dns.OutboxCountAsync<DkimKeyPublished>());
        Assert.Equal(3, await dns.OutboxCountAsync<SendingDomainVerified>());
        foreach (var (serviceId, domain, ip) in domains)
        {
            Assert.Contains(await dns.TxtAsync(domain), t => t == $"v=spf1 ip4:{ip} -all");
            Assert.Contains(await dns.PublishedAsync(serviceId), r => r.Type == "TXT" && r.Name.Contains("._domainkey.", StringComparison.Ordinal));
        }

        // Nothing is queued twice: the next checks (daily) and publication runs leave them as they are.
        Assert.Equal(0, await dns.Publication.RunDueAsync(dns.Database.Database, default));
        dns.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.Equal(3, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(0, await dns.Publication.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(3, await dns.OutboxCountAsync<DkimKeyPublished>());
    }
}
