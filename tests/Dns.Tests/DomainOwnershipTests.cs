using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using ProMTA.Contracts.Dns;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Publishing;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

/// <summary>Issue 14: a domain gets records only once its delegation proves it, and removal touches only what its service owns.</summary>
public sealed class DomainOwnershipTests(PostgresFixture postgres, PowerDnsFixture powerDns)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task A_pending_domain_serves_only_soa_and_ns_until_its_delegation_is_seen_then_gets_its_key_and_records()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (serviceId, orderId, domain) = (Guid.NewGuid(), Guid.NewGuid(), $"pd{Guid.NewGuid():N}"[..14] + ".test");
        await dns.HostPendingAsync(serviceId, domain, orderId, ["127.0.4.10"]);

        Assert.NotEmpty((await dns.Resolver.QueryAsync(domain, QueryType.SOA)).Answers.OfType<SoaRecord>());
        Assert.Empty(await dns.TxtAsync(domain));
        Assert.Empty(await dns.TxtAsync("_dmarc." + domain));
        Assert.Empty((await dns.Resolver.QueryAsync(domain, QueryType.MX)).Answers.OfType<MxRecord>());
        Assert.Empty(await dns.PublishedAsync(serviceId));
        Assert.Equal(0, await dns.OutboxCountAsync<DkimKeyPublished>());

        // Locally the delegation resolvers are our PowerDNS, which serves the pending zone's NS: seen at once.
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(1, await dns.Publication.RunDueAsync(dns.Database.Database, default));

        Assert.Equal(1, await dns.OutboxCountAsync<SendingDomainVerified>());
        Assert.Equal(1, await dns.OutboxCountAsync<DkimKeyPublished>());
        Assert.Contains(await dns.TxtAsync(domain), t => t == "v=spf1 ip4:127.0.4.10 -all");
        Assert.Contains(await dns.TxtAsync("_dmarc." + domain), t => t.StartsWith("v=DMARC1", StringComparison.Ordinal));
        Assert.Contains(await dns.PublishedAsync(serviceId), r => r.Type == "TXT" && r.Name.Contains("._domainkey.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Decommissioning_removes_only_its_own_records_and_zones_and_keeps_the_neighbours_and_the_platform_zones()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (mine, neighbour) = (Guid.NewGuid(), Guid.NewGuid());
        var (myDomain, theirDomain) = ($"me{Guid.NewGuid():N}"[..14] + ".test", $"nb{Guid.NewGuid():N}"[..14] + ".test");
        var (myHost, theirHost) = ($"mta1.s{mine:N}.promta.local.", $"mta1.s{neighbour:N}.promta.local.");
        await dns.HostDomainAsync(mine, myDomain, ["127.0.4.21"]);
        await dns.HostDomainAsync(neighbour, theirDomain, ["127.0.4.22"]);
        await dns.PublishReverseAsync(mine, "127.0.4.21", myHost);
        await dns.PublishReverseAsync(neighbour, "127.0.4.22", theirHost);

        // A service that tries to book the neighbour's rows as its own does not take them over.
        var stolen = (await dns.PublishedAsync(neighbour)).First(r => r.Type == "PTR");
        await dns.Database.Database.WriteAsync(work => PublishedRecords.SaveAsync(work, mine, ReverseZones.ZoneOf("127.0.4.22"), [stolen], dns.Time.GetUtcNow()));
        Assert.DoesNotContain(await dns.PublishedAsync(mine), r => r.Name == stolen.Name);
        // Nor does it own the neighbour's zone: nothing is written there for it.
        Assert.False(await dns.Database.Database.WriteAsync(work => HostedZones.TryOwnAsync(work, theirDomain + ".", mine, dns.Time.GetUtcNow())));

        await dns.Database.Database.WriteAsync(work => new ServiceDnsRemoval(dns.PowerDns, dns.Time).RunAsync(work, mine, default));

        Assert.Empty((await dns.Resolver.QueryAsync(myDomain, QueryType.SOA)).Answers.OfType<SoaRecord>());
        Assert.Empty((await dns.Resolver.QueryAsync(myHost, QueryType.A)).Answers.OfType<ARecord>());
        Assert.Empty((await dns.Resolver.QueryAsync(ReverseZones.PtrName("127.0.4.21"), QueryType.PTR)).Answers.OfType<PtrRecord>());
        Assert.NotEmpty((await dns.Resolver.QueryAsync(theirDomain, QueryType.SOA)).Answers.OfType<SoaRecord>());
        Assert.Contains(await dns.TxtAsync(theirDomain), t => t == "v=spf1 ip4:127.0.4.22 -all");
        Assert.NotEmpty((await dns.Resolver.QueryAsync(theirHost, QueryType.A)).Answers.OfType<ARecord>());
        Assert.NotEmpty((await dns.Resolver.QueryAsync(ReverseZones.PtrName("127.0.4.22"), QueryType.PTR)).Answers.OfType<PtrRecord>());
        Assert.NotEmpty((await dns.Resolver.QueryAsync("promta.local", QueryType.SOA)).Answers.OfType<SoaRecord>());
        Assert.Equal(7, (await dns.PublishedAsync(neighbour)).Count);
    }

    [Fact]
    public async Task A_released_domain_loses_its_records_and_zone_and_is_free_for_its_next_owner()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (first, next, domain) = (Guid.NewGuid(), Guid.NewGuid(), $"rl{Guid.NewGuid():N}"[..14] + ".test");
        await dns.HostDomainAsync(first, domain, ["127.0.4.31"]);
        await dns.PublishReverseAsync(first, "127.0.4.31", $"mta1.s{first:N}.promta.local.");

        var zone = new SendingDomainZone(dns.PowerDns, dns.Protector, Microsoft.Extensions.Options.Options.Create(new DnsOptions()),
            Microsoft.Extensions.Options.Options.Create(new Dkim.DkimOptions()), dns.Time, NullLogger<SendingDomainZone>.Instance);
        for (var delivery = 0; delivery < 2; delivery++)
        {
            await dns.Database.Database.WriteAsync(async work =>
            {
                await zone.RemoveAsync(work, first, domain, default);
            });
        }

        Assert.Empty((await dns.Resolver.QueryAsync(domain, QueryType.SOA)).Answers.OfType<SoaRecord>());
        Assert.All(await dns.PublishedAsync(first), r => Assert.Contains(r.Type, new[] { "PTR", "A" })); // its server's records stay
        Assert.DoesNotContain(await dns.PublishedAsync(first), r => r.Name.EndsWith(domain + ".", StringComparison.Ordinal));
        // The next owner's pending zone is its own (PowerDNS's negative cache would hide it from a query for a while).
        await dns.HostPendingAsync(next, domain, Guid.NewGuid());
        Assert.False(await dns.Database.Database.WriteAsync(work => HostedZones.TryOwnAsync(work, domain + ".", first, dns.Time.GetUtcNow())));
    }

    [Fact]
    public async Task The_customers_dmarc_policy_is_published_and_the_drift_job_puts_it_back_when_edited()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (serviceId, domain) = (Guid.NewGuid(), $"dm{Guid.NewGuid():N}"[..14] + ".test");
        await dns.HostDomainAsync(serviceId, domain, ["127.0.4.41"]);
        Assert.Equal(["v=DMARC1; p=none; adkim=r; aspf=r"], await dns.TxtAsync("_dmarc." + domain)); // the default

        await dns.Database.Database.WriteAsync(async work =>
        {
            Assert.True(await SendingDomains.SetDmarcPolicyAsync(work, serviceId, domain, "reject"));
            await dns.Zone.ApplyAsync(work, serviceId, default);
        });
        Assert.Equal(["v=DMARC1; p=reject; adkim=r; aspf=r"], await dns.TxtAsync("_dmarc." + domain));

        // Someone weakens it behind our back: the drift job publishes the customer's choice again.
        await dns.PowerDns.ReplaceRecordsAsync($"{domain}.", [new DnsRecord($"_dmarc.{domain}.", "TXT", "v=DMARC1; p=none")], default);
        dns.Time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(1, await dns.Drift.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(["v=DMARC1; p=reject; adkim=r; aspf=r"], await dns.TxtAsync("_dmarc." + domain));
    }

    [Fact]
    public async Task A_service_hosts_several_domains_each_verified_with_its_own_selector_and_removing_one_keeps_the_other()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (serviceId, orderId) = (Guid.NewGuid(), Guid.NewGuid());
        var (first, second) = ($"m1{Guid.NewGuid():N}"[..14] + ".test", $"m2{Guid.NewGuid():N}"[..14] + ".test");
        await dns.HostPendingAsync(serviceId, first, orderId, ["127.0.4.51"]);
        await dns.Database.Database.WriteAsync(async work =>
        {
            Assert.True(await SendingDomains.TryAddAsync(work, serviceId, second, dns.Time.GetUtcNow()));
            Assert.True(await dns.Zone.HostPendingAsync(work, serviceId, second, default));
        });
        // Another service cannot host either.
        Assert.False(await dns.Database.Database.WriteAsync(work => SendingDomains.TryAddAsync(work, Guid.NewGuid(), second, dns.Time.GetUtcNow())));

        Assert.Equal(2, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(2, await dns.Publication.RunDueAsync(dns.Database.Database, default)); // one batch: both keys made side by side
        Assert.Equal(2, await dns.OutboxCountAsync<SendingDomainVerified>());
        var selectors = (await dns.PublishedAsync(serviceId)).Where(r => r.Name.Contains("._domainkey.", StringComparison.Ordinal))
            .Select(r => (Selector: r.Name.Split('.')[0], Domain: r.Name[(r.Name.IndexOf("._domainkey.", StringComparison.Ordinal) + 12)..])).ToList();
        Assert.Equal([first + ".", second + "."], selectors.Select(s => s.Domain).Order());
        Assert.Equal(2, selectors.Select(s => s.Selector).Distinct().Count());
        Assert.Contains(await dns.TxtAsync(second), t => t == "v=spf1 ip4:127.0.4.51 -all");

        await dns.Database.Database.WriteAsync(work => dns.Zone.RemoveAsync(work, serviceId, first, default));
        Assert.Empty(await dns.TxtAsync(first));
        Assert.Contains(await dns.TxtAsync(second), t => t == "v=spf1 ip4:127.0.4.51 -all");
        Assert.Equal([second], (await SendingDomains.ForServiceAsync(dns.Database.Database, serviceId, default)).Select(d => d.Domain));
    }
}
