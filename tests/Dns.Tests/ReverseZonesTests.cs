using ProMTA.Dns.Domain;
using Xunit;

namespace ProMTA.Dns.Tests;

public sealed class ReverseZonesTests
{
    [Theory]
    [InlineData("127.0.1.5", "5.1.0.127.in-addr.arpa.", "1.0.127.in-addr.arpa.")]
    [InlineData("192.0.2.200", "200.2.0.192.in-addr.arpa.", "2.0.192.in-addr.arpa.")]
    public void Ptr_names_and_zones_follow_in_addr_arpa(string ip, string ptr, string zone)
    {
        Assert.Equal(ptr, ReverseZones.PtrName(ip));
        Assert.Equal(zone, ReverseZones.ZoneOf(ip));
    }

    [Theory]
    [InlineData("2001:db8::1")]
    [InlineData("not-an-ip")]
    [InlineData("127.0.0.1; DROP")]
    public void Anything_but_an_IPv4_address_is_refused(string ip) =>
        Assert.Throws<ArgumentException>(() => ReverseZones.PtrName(ip));

    [Fact]
    public void Names_are_compared_in_canonical_form() =>
        Assert.Equal("mta1.example.test.", ReverseZones.Fqdn("MTA1.Example.TEST"));
}
