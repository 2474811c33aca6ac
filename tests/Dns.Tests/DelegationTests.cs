using ProMTA.Contracts.Dns;
using ProMTA.Dns.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

/// <summary>
/// The second PowerDNS is the registry: it hosts the parent zone, where the customer's registrar writes NS records.
/// Our PowerDNS hosts the customer's zone, so asking ours would always say "delegated"; the check asks the parent.
/// </summary>
public sealed class DelegationTests(PostgresFixture postgres, PowerDnsFixture powerDns, SecondPowerDns registry)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>, IClassFixture<SecondPowerDns>
{
    [Fact]
    public async Task The_domain_is_verified_only_while_the_parent_zone_delegates_it_to_our_nameservers_alone()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns, delegationResolvers: [registry.Server.DnsEndpoint]);
        var parent = $"p{Guid.NewGuid():N}"[..10] + ".test.";
        var domain = "shop." + parent.TrimEnd('.');
        var (serviceId, orderId) = (Guid.NewGuid(), Guid.NewGuid());
        await registry.EnsureZoneAsync(parent);
        await dns.HostDomainAsync(serviceId, domain, ["127.0.2.20"], orderId);

        // Not delegated at all: the parent answers NXDOMAIN.
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        var service = await FindAsync(dns, serviceId);
        Assert.Null(service.DelegatedAt);
        Assert.Empty(service.DelegationSeen);
        Assert.Equal(0, await dns.Delegation.RunDueAsync(dns.Database.Database, default)); // backing off

        // Delegated to another provider, then half to us: neither is ours.
        await registry.SetAsync(parent, domain + ".", "NS", "ns1.elsewhere.test.", "ns2.elsewhere.test.");
        dns.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(["ns1.elsewhere.test.", "ns2.elsewhere.test."], (await FindAsync(dns, serviceId)).DelegationSeen);

        await registry.SetAsync(parent, domain + ".", "NS", "ns1.promta.local.", "ns2.elsewhere.test.");
        dns.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        Assert.Null((await FindAsync(dns, serviceId)).DelegatedAt);
        Assert.Equal(0, await dns.OutboxCountAsync<SendingDomainVerified>());

        // The registrar now points at ours only.
        await registry.SetAsync(parent, domain + ".", "NS", "ns1.promta.local.", "ns2.promta.local.");
        dns.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        service = await FindAsync(dns, serviceId);
        Assert.Equal(dns.Time.GetUtcNow(), service.DelegatedAt);
        Assert.Equal(["ns1.promta.local.", "ns2.promta.local."], service.DelegationSeen);
        Assert.Equal(1, await dns.Publication.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(1, await dns.OutboxCountAsync<SendingDomainVerified>());

        // Verified: asked again only daily, and not announced again while it stays delegated.
        var verifiedAt = service.DelegatedAt;
        dns.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        dns.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(verifiedAt, (await FindAsync(dns, serviceId)).DelegatedAt);
        Assert.Equal(0, await dns.Publication.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(1, await dns.OutboxCountAsync<SendingDomainVerified>());

        // The customer moves the domain away: no longer delegated; back again: announced again.
        await registry.SetAsync(parent, domain + ".", "NS", "ns1.elsewhere.test.");
        dns.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        service = await FindAsync(dns, serviceId);
        Assert.Null(service.DelegatedAt);
        Assert.Equal(["ns1.elsewhere.test."], service.DelegationSeen);
        await registry.SetAsync(parent, domain + ".", "NS", "ns1.promta.local.", "ns2.promta.local.");
        dns.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        Assert.NotNull((await FindAsync(dns, serviceId)).DelegatedAt);
        Assert.Equal(1, await dns.Publication.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(2, await dns.OutboxCountAsync<SendingDomainVerified>());
    }

    [Fact]
    public async Task Without_delegation_resolvers_our_own_server_answers_so_a_hosted_domain_counts_as_delegated_at_once()
    {
        // The local default (no Dns:DelegationResolvers): our PowerDNS answers for the zone it hosts, so a hosted domain is delegated at once.
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var serviceId = Guid.NewGuid();
        await dns.HostDomainAsync(serviceId, $"o{Guid.NewGuid():N}"[..10] + ".test", []);
        Assert.Equal(1, await dns.Delegation.RunDueAsync(dns.Database.Database, default));
        Assert.NotNull((await FindAsync(dns, serviceId)).DelegatedAt);
    }

    private static async Task<HostedDomain> FindAsync(DnsTestContext dns, Guid serviceId)
    {
        await using var work = await dns.Database.Database.BeginAsync();
        return (await SendingDomains.ForServiceAsync(work, serviceId)).Single();
    }
}
