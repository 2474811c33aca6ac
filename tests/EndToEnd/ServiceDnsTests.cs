using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DnsClient;
using DnsClient.Protocol;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class ServiceDnsTests(PlatformFixture platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_sending_domain_zone_is_shown_with_nameservers_and_live_records_only_to_its_owner()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var domain = $"e2e{Guid.NewGuid():N}"[..15] + ".test";
        using var placed = await customer.PlaceOrderAsync(
            new { productId = "promta-starter", paymentMethodId = "pm_card_visa", sendingDomain = domain }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();
        var serviceId = created.GetProperty("serviceId").GetGuid();
        await customer.WaitForOrderStatusAsync(created.GetProperty("orderId").GetGuid(), "Active", Timeout);

        var dns = await customer.WaitForAsync($"/api/services/{serviceId}/dns",
            d => d.GetProperty("records").EnumerateArray().Any(r => r.GetProperty("type").GetString() == "MX"), Timeout);
        Assert.Equal(domain, dns.GetProperty("sendingDomain").GetString());
        Assert.Contains("ns1.promta.local.", dns.GetProperty("nameservers").EnumerateArray().Select(n => n.GetString()));
        var records = dns.GetProperty("records").EnumerateArray().ToList();
        Assert.All(records, r => Assert.True(r.GetProperty("live").GetBoolean(), $"{r} is live"));
        Assert.Contains(records, r => r.GetProperty("type").GetString() == "PTR");
        Assert.Contains(records, r => r.GetProperty("name").GetString() == $"_dmarc.{domain}.");
        Assert.Contains(records, r => r.GetProperty("name").GetString()!.EndsWith($"._domainkey.{domain}.", StringComparison.Ordinal));
        var spf = Assert.Single(records, r => r.GetProperty("name").GetString() == $"{domain}." && r.GetProperty("type").GetString() == "TXT");
        Assert.StartsWith("v=spf1 ip4:127.", spf.GetProperty("value").GetString());

        // Locally the delegation resolver is our own PowerDNS (Dns:DelegationResolvers unset), so the hosted zone is seen
        // delegated on the monitor's first pass; Dns.Tests prove the check against a separate parent zone.
        dns = await customer.WaitForAsync($"/api/services/{serviceId}/dns", d => d.GetProperty("delegated").GetBoolean(), Timeout);
        Assert.Equal(["ns1.promta.local.", "ns2.promta.local."], dns.GetProperty("delegationSeen").EnumerateArray().Select(n => n.GetString()));
        var order = await customer.WaitForAsync($"/api/orders/{created.GetProperty("orderId").GetGuid()}",
            o => o.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("status").GetString() == "SendingDomainVerified"), Timeout);
        var verified = order.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("status").GetString() == "SendingDomainVerified");
        Assert.Contains(domain, verified.GetProperty("detail").GetString());

        var resolver = new LookupClient(new LookupClientOptions(new IPEndPoint(IPAddress.Loopback, platform.DnsPort)) { UseCache = false });
        var mx = Assert.Single((await resolver.QueryAsync(domain, QueryType.MX)).Answers.OfType<MxRecord>());
        Assert.Equal($"mta1.{domain}.", mx.Exchange.Value);

        var stranger = await Customer.SignUpAsync(platform.Gateway);
        using var hidden = await stranger.GetAsync($"/api/services/{serviceId}/dns");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task Operators_see_pending_reverse_dns_and_drift_and_customers_do_not()
    {
        Assert.True((await platform.GetStaffJsonAsync("/api/admin/dns/propagation")).TryGetProperty("items", out _));
        Assert.True((await platform.GetStaffJsonAsync("/api/admin/dns/drift?days=1")).TryGetProperty("total", out _));

        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var refused = await customer.GetAsync("/api/admin/dns/propagation");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
