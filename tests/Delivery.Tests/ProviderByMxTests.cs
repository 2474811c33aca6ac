using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using ProMTA.MailPolicy;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The provider a destination is shaped as comes from its MX host (ProviderCatalog.ResolveByMx): a company domain
/// hosted at Google is Gmail, and every row of the provider table (iCloud, Comcast) can apply.
/// </summary>
public sealed class ProviderByMxTests(PostgresFixture postgres, PowerDnsFixture dns) : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Theory]
    [InlineData("Other", "aspmx.l.google.com.", "gmail")]
    [InlineData("Other", "corp-example.mail.protection.outlook.com", "outlook")]
    [InlineData("Other", "mx01.mail.icloud.com", "icloud")]
    [InlineData("Other", "mx1.comcast.net", "comcast")]
    [InlineData("Yahoo", "aspmx.l.google.com", "gmail")]
    [InlineData("Gmail", "mx.example.org", "gmail")]
    [InlineData("Other", "mx.example.org", "default")]
    [InlineData("Other", null, "default")]
    public void The_mx_host_decides_and_the_recipient_domain_is_the_fallback(string byDomain, string? mxHost, string expected)
    {
        Assert.Equal(expected, ThrottlingData.Default.Providers.ShapedAs(byDomain, mxHost));
    }

    /// <summary>Before its MX is looked up, a recipient is queued and counted under the provider its domain's name is known for.</summary>
    [Theory]
    [InlineData("gmail.com", "Gmail")]
    [InlineData("gmail.test", "Gmail")]
    [InlineData("mail.gmail.test", "Gmail")]
    [InlineData("yahoo.co.uk", "Yahoo")]
    [InlineData("outlook.test", "Outlook")]
    [InlineData("icloud.com", "iCloud")]
    [InlineData("comcast.net", "Comcast")]
    [InlineData("notgmail.com", "Other")]
    [InlineData("example.test", "Other")]
    public void Recipient_domains_map_to_the_catalogues_providers(string domain, string label) =>
        Assert.Equal(label, ThrottlingData.Default.Providers.ForRecipientDomain(domain).Label);

    [Fact]
    public async Task Mail_to_a_domain_whose_mx_is_at_google_goes_through_the_gmail_lane()
    {
        // corp.test's MX is aspmx.l.google.com (as for any Google Workspace domain), which resolves to a fake MX here.
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions { Name = "Google", Domain = "corp.test", Address = "127.0.0.1" }, mxPort);
        mx.Start();
        using (var api = dns.NewApiClient())
        {
            await ZoneAsync(api, "corp.test.", new { name = "corp.test.", type = "MX", ttl = 60, changetype = "REPLACE", records = new[] { new { content = "10 aspmx.l.google.com.", disabled = false } } });
            await ZoneAsync(api, "google.com.", new { name = "aspmx.l.google.com.", type = "A", ttl = 60, changetype = "REPLACE", records = new[] { new { content = "127.0.0.1", disabled = false } } });
        }
        await using var relay = await RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string>
        {
            ["Delivery:Resolvers:0"] = dns.DnsEndpoint.ToString(),
            ["Delivery:MxPort"] = mxPort.ToString(),
            ["Delivery:AllowInternalMxAddresses"] = "true",
        });

        await relay.SubmitAsync("pat@corp.test");

        await RelayHost.EventuallyAsync(() => Task.FromResult(mx.Received.Count == 1));
        var lanes = relay.Services.GetRequiredService<ThrottleController>().Snapshot().Lanes;
        Assert.Contains(lanes, l => l.SourceIp == RelayHost.SourceIp && l.Provider == "gmail");
        Assert.DoesNotContain(lanes, l => l.Provider == "default");
        // The statistics keep the provider by domain name; only the shaping follows the MX.
        Assert.Equal("Other", await relay.QuerySingleAsync<string>("SELECT provider FROM recipients WHERE address = 'pat@corp.test'"));
    }

    private static async Task ZoneAsync(HttpClient api, string zone, object rrset)
    {
        using var created = await api.PostAsJsonAsync("api/v1/servers/localhost/zones", new { name = zone, kind = "Native", nameservers = new[] { "ns1.promta.local." } });
        using var patched = await api.PatchAsJsonAsync($"api/v1/servers/localhost/zones/{zone}", new { rrsets = new[] { rrset } });
        patched.EnsureSuccessStatusCode();
    }
}
