using Microsoft.Extensions.Options;
using ProMTA.Delivery.Outbound;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Outbound never becomes a probe into the hosting network (SSRF on port 25): an MX that a domain's owner points at a
/// loopback, private or link-local address is not connected to, outside local runs. Real DNS: a PowerDNS serves the zones.
/// </summary>
public sealed class MxResolverTests(PowerDnsFixture dns) : IClassFixture<PowerDnsFixture>
{
    [Theory]
    [InlineData("loopback-mx.test", "127.0.0.1")]
    [InlineData("private-mx.test", "10.1.2.3")]
    [InlineData("rfc1918-mx.test", "192.168.1.10")]
    [InlineData("link-local-mx.test", "169.254.169.254")]
    [InlineData("cgnat-mx.test", "100.64.0.1")]
    public async Task An_mx_that_resolves_only_to_an_internal_address_is_a_permanent_failure_never_a_connection(string domain, string address)
    {
        await PublishAsync(domain, address);

        var route = await Resolver(allowInternal: false).ResolveAsync(domain, default);

        Assert.Empty(route.Targets);
        Assert.True(route.Permanent);
        Assert.StartsWith("5.4.4 ", route.Error);
    }

    [Fact]
    public async Task A_public_mx_address_is_used_and_a_local_run_may_allow_internal_ones()
    {
        await PublishAsync("public-mx.test", "203.0.113.25");
        await PublishAsync("local-mx.test", "127.0.0.9");

        var publicRoute = await Resolver(allowInternal: false).ResolveAsync("public-mx.test", default);
        var localRoute = await Resolver(allowInternal: true).ResolveAsync("local-mx.test", default);

        Assert.Equal("203.0.113.25", Assert.Single(publicRoute.Targets).EndPoint.Address.ToString());
        Assert.Equal("127.0.0.9", Assert.Single(localRoute.Targets).EndPoint.Address.ToString());
    }

    private async Task PublishAsync(string domain, string address)
    {
        using var api = dns.NewApiClient();
        await new DnsPublisher(api, "localhost").PublishAsync(new FakeProviderOptions { Domain = domain, Address = address }, default);
    }

    private MxResolver Resolver(bool allowInternal) => new(Options.Create(new OutboundOptions
    {
        Resolvers = [dns.DnsEndpoint.ToString()],
        AllowInternalMxAddresses = allowInternal,
    }));
}
