using ProMTA.Dns.Domain;
using Xunit;

namespace ProMTA.Dns.Tests;

public sealed class TxtStringsTests
{
    [Fact]
    public void Long_values_are_split_into_255_byte_strings_that_join_back()
    {
        var value = "v=DKIM1; k=rsa; p=" + new string('A', 392);
        var parts = TxtStrings.Split(value);
        Assert.Equal([255, value.Length - 255], parts.Select(p => p.Length));
        Assert.Equal(value, string.Concat(parts));
        Assert.Equal($"\"{parts[0]}\" \"{parts[1]}\"", TxtStrings.Quote(value));
    }

    [Theory]
    [InlineData("example.test", true)]
    [InlineData("mail.example.co.uk", true)]
    [InlineData("localhost", false)]
    [InlineData("-bad.test", false)]
    [InlineData("bad domain.test", false)]
    [InlineData("evil.test\"; DROP", false)]
    public void Only_plausible_domain_names_become_zones(string domain, bool valid) =>
        Assert.Equal(valid, SendingDomainRecords.IsValidDomain(domain));
}
