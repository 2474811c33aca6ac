using System.Net;
using System.Security.Cryptography;
using Dapper;
using DnsClient;
using DnsClient.Protocol;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Lookups;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

public sealed class SendingDomainZoneTests(PostgresFixture postgres, PowerDnsFixture powerDns)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task A_sending_domain_gets_spf_dkim_dmarc_mx_and_a_records_that_answer_over_dns()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (serviceId, domain) = (Guid.NewGuid(), $"d{Guid.NewGuid():N}"[..12] + ".test");
        var selector = await dns.HostDomainAsync(serviceId, domain, ["127.0.1.7", "127.0.1.8"]);

        var client = dns.Resolver;
        Assert.Equal("v=spf1 ip4:127.0.1.7 ip4:127.0.1.8 -all", Assert.Single(await dns.TxtAsync(domain)));
        var mx = Assert.Single((await client.QueryAsync(domain, QueryType.MX)).Answers.OfType<MxRecord>());
        Assert.Equal($"mta1.{domain}.", mx.Exchange.Value);
        Assert.Equal("127.0.1.8", Assert.Single((await client.QueryAsync($"mta2.{domain}", QueryType.A)).Answers.OfType<ARecord>()).Address.ToString());
        Assert.Equal("v=DMARC1; p=none; adkim=r; aspf=r", Assert.Single(await dns.TxtAsync($"_dmarc.{domain}")));

        // A 2048-bit key does not fit one 255-byte character-string: a verifier reads the strings joined.
        var dkim = Assert.Single((await client.QueryAsync($"{selector}._domainkey.{domain}", QueryType.TXT)).Answers.OfType<TxtRecord>());
        Assert.True(dkim.Text.Count >= 2);
        Assert.All(dkim.Text, s => Assert.True(s.Length <= 255));
        var value = string.Concat(dkim.Text);
        Assert.StartsWith("v=DKIM1; k=rsa; p=", value);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(value["v=DKIM1; k=rsa; p=".Length..]), out _);
        Assert.Equal(2048, rsa.KeySize);
    }

    [Fact]
    public async Task The_private_key_is_stored_encrypted_and_decrypts_to_the_published_key()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var serviceId = Guid.NewGuid();
        var selector = await dns.HostDomainAsync(serviceId, $"k{Guid.NewGuid():N}"[..12] + ".test", []);

        await using var connection = await dns.Database.Database.OpenAsync();
        var (publicKey, encrypted) = await connection.QuerySingleAsync<(string, string)>(
            "SELECT public_key, private_key_encrypted FROM dkim_keys WHERE service_id = @serviceId", new { serviceId });
        Assert.DoesNotContain("PRIVATE KEY", encrypted);
        Assert.ThrowsAny<Exception>(() => { using var r = RSA.Create(); r.ImportPkcs8PrivateKey(Convert.FromBase64String(encrypted), out _); });

        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(dns.Protector.Unprotect(encrypted, serviceId, selector), out _);
        Assert.Equal(publicKey, Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));
        // Bound to its service: the same ciphertext on another service's row does not decrypt.
        Assert.ThrowsAny<CryptographicException>(() => dns.Protector.Unprotect(encrypted, Guid.NewGuid(), selector));
    }

    [Fact]
    public async Task Applying_again_changes_nothing_and_a_rotated_selector_is_removed_after_its_retirement()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (serviceId, domain) = (Guid.NewGuid(), $"r{Guid.NewGuid():N}"[..12] + ".test");
        var first = await dns.HostDomainAsync(serviceId, domain, ["127.0.2.9"]);
        var before = await dns.PublishedAsync(serviceId);

        await ApplyAsync(dns, serviceId);
        Assert.Equal(before, await dns.PublishedAsync(serviceId));
        foreach (var record in before) Assert.True(await dns.Live.AnswersAsync(record, default), $"{record} answers");

        dns.Time.Advance(TimeSpan.FromMinutes(1));
        string second;
        await using (var work = await dns.Database.Database.BeginAsync())
        {
            second = await dns.Zone.AddDkimKeyAsync(work, serviceId, Guid.NewGuid(), domain);
            await dns.Zone.ApplyAsync(work, serviceId, default);
            await work.CommitAsync();
        }
        Assert.NotEmpty(await dns.TxtAsync($"{first}._domainkey.{domain}")); // mail signed before the rotation still verifies
        Assert.NotEmpty(await dns.TxtAsync($"{second}._domainkey.{domain}"));

        dns.Time.Advance(TimeSpan.FromDays(8));
        await ApplyAsync(dns, serviceId);
        Assert.Empty(await dns.TxtAsync($"{first}._domainkey.{domain}"));
        Assert.NotEmpty(await dns.TxtAsync($"{second}._domainkey.{domain}"));
        Assert.DoesNotContain(await dns.PublishedAsync(serviceId), r => r.Name.StartsWith(first, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_record_changed_behind_our_back_is_not_live()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (serviceId, domain) = (Guid.NewGuid(), $"x{Guid.NewGuid():N}"[..12] + ".test");
        await dns.HostDomainAsync(serviceId, domain, ["127.0.2.10"]);
        var spf = new DnsRecord($"{domain}.", "TXT", "v=spf1 ip4:127.0.2.10 -all");
        Assert.True(await dns.Live.AnswersAsync(spf, default));

        await dns.PowerDns.ReplaceRecordsAsync($"{domain}.", [spf with { Value = "v=spf1 +all" }], default);
        Assert.False(await dns.Live.AnswersAsync(spf, default));
    }

    private static Task ApplyAsync(DnsTestContext dns, Guid serviceId) =>
        dns.Database.Database.WriteAsync(work => dns.Zone.ApplyAsync(work, serviceId, default));
}
