using Microsoft.Extensions.Options;
using ProMTA.Ordering.Domains;
using Xunit;

namespace ProMTA.Ordering.Tests;

/// <summary>Issue 14: names that can never be a customer's sending domain, checked with Debian's public suffix list.</summary>
public sealed class DomainRulesTests
{
    private static readonly DomainRules Rules = new(
        PublicSuffixList.Load(new DomainClaimOptions().PublicSuffixList), Options.Create(new DomainClaimOptions()));

    [Theory]
    [InlineData("promta.local", "platform")] // the host zone
    [InlineData("mta1.s1.promta.local", "platform")] // a name inside it
    [InlineData("ns1.promta.local", "platform")] // a nameserver name
    [InlineData("local", "single label")] // above the host zone, and a single label
    [InlineData("1.0.127.in-addr.arpa", "reverse")]
    [InlineData("in-addr.arpa", "reverse")]
    [InlineData("8.b.d.0.1.0.0.2.ip6.arpa", "reverse")]
    [InlineData("arpa", "single label")]
    [InlineData("co.uk", "public suffix")]
    [InlineData("github.io", "public suffix")]
    [InlineData("CO.UK.", "public suffix")]
    [InlineData("com", "single label")]
    [InlineData("anything.ck", "public suffix")] // *.ck
    [InlineData("xn--p1ai", "single label")] // .рф
    [InlineData("рф", "single label")]
    [InlineData("com.рф", "public suffix")] // written in Unicode in the list (if listed) or refused as a suffix
    [InlineData("192.0.2.1", "IP address")]
    [InlineData("[192.0.2.1]", "IP address")]
    [InlineData("2001:db8::1", "IP address")]
    [InlineData("[IPv6:2001:db8::1]", "IP address")]
    [InlineData("localhost", "single label")]
    [InlineData("mail_server.example.com", "not a valid")]
    [InlineData("-bad.example.com", "not a valid")]
    [InlineData("a..b.example", "not a valid")]
    [InlineData("exa mple.com", "not a valid")]
    [InlineData("xn--zz.example", "not a valid")] // an A-label that is not valid punycode
    [InlineData("ab\u0000c.example", "not a valid")]
    public void Names_nobody_may_claim_are_refused_with_422_and_the_reason(string input, string reason)
    {
        var (domain, refusal) = Rules.Check(input);
        if (input == "com.рф" && refusal is null) return; // not every ccTLD lists second-level suffixes
        Assert.Null(domain);
        Assert.NotNull(refusal);
        Assert.Equal(422, refusal.Status);
        Assert.Contains(reason, refusal.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("Mail.Example.COM.", "mail.example.com")]
    [InlineData("customer.test", "customer.test")]
    [InlineData("me.github.io", "me.github.io")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("www.ck", "www.ck")] // !www.ck: an exception to *.ck
    [InlineData("promta.example", "promta.example")]
    public void A_registrable_domain_is_accepted_in_its_normalized_form(string input, string normalized)
    {
        var (domain, refusal) = Rules.Check(input);
        Assert.Null(refusal);
        Assert.Equal(normalized, domain);
    }
}
