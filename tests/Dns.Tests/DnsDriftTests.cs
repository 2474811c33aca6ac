using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ProMTA.Contracts.Dns;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

public sealed class DnsDriftTests(PostgresFixture postgres, PowerDnsFixture powerDns)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task Records_changed_or_deleted_behind_our_back_are_found_over_dns_and_put_back()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        using var drifted = new MetricCollector<long>(dns.Meters.Meters.Single(), "promta.dns.drift.records");
        var (serviceId, domain, ip) = (Guid.NewGuid(), $"d{Guid.NewGuid():N}"[..12] + ".test", $"127.0.4.{Random.Shared.Next(1, 250)}");
        var hostname = $"mta1.s{serviceId:N}.promta.local.";
        await dns.HostDomainAsync(serviceId, domain, [ip]);
        await dns.PublishReverseAsync(serviceId, ip, hostname);

        Assert.Equal(1, await dns.Drift.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(0, await dns.OutboxCountAsync<DnsDriftRepaired>()); // nothing changed yet
        Assert.Equal(0, await dns.Drift.RunDueAsync(dns.Database.Database, default)); // not due again before 15 minutes

        // Someone opens the SPF to the world and deletes the PTR through the API.
        var spf = new DnsRecord($"{domain}.", "TXT", $"v=spf1 ip4:{ip} -all");
        await dns.PowerDns.ReplaceRecordsAsync($"{domain}.", [spf with { Value = "v=spf1 +all" }], default);
        await dns.PowerDns.DeleteRecordsAsync(ReverseZones.ZoneOf(ip), [(ReverseZones.PtrName(ip), "PTR")], default);
        Assert.False(await dns.Live.AnswersAsync(spf, default));

        dns.Time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(1, await dns.Drift.RunDueAsync(dns.Database.Database, default));
        Assert.True(await dns.Live.AnswersAsync(spf, default));
        Assert.True(await dns.Live.AnswersAsync(new DnsRecord(ReverseZones.PtrName(ip), "PTR", hostname), default));
        var events = await DriftAsync(dns);
        Assert.Equal([("PTR", ""), ("TXT", "v=spf1 +all")], events.Select(e => (e.Type, e.Found)).Order());
        Assert.All(events, e => Assert.NotNull(e.RepairedAt));
        Assert.Equal(1, await dns.OutboxCountAsync<DnsDriftRepaired>());
        Assert.Equal(2, drifted.GetMeasurementSnapshot().EvaluateAsCounter());

        // The whole zone deleted: every rrset of it comes back.
        await dns.PowerDns.DeleteZoneAsync($"{domain}.", default);
        dns.Time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(1, await dns.Drift.RunDueAsync(dns.Database.Database, default));
        foreach (var record in await dns.PublishedAsync(serviceId)) Assert.True(await dns.Live.AnswersAsync(record, default), $"{record} answers again");
        Assert.Equal(2, await dns.OutboxCountAsync<DnsDriftRepaired>());

        // A clean run records nothing.
        dns.Time.Advance(TimeSpan.FromMinutes(15));
        var before = (await DriftAsync(dns)).Count;
        Assert.Equal(1, await dns.Drift.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(before, (await DriftAsync(dns)).Count);
    }

    [Fact]
    public async Task The_dkim_key_is_rotated_when_due_and_the_old_selector_goes_after_its_retirement()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var (serviceId, domain) = (Guid.NewGuid(), $"k{Guid.NewGuid():N}"[..12] + ".test");
        var first = await dns.HostDomainAsync(serviceId, domain, ["127.0.4.2"]);

        dns.Time.Advance(TimeSpan.FromDays(179));
        Assert.Equal(1, await dns.Drift.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(1, await dns.OutboxCountAsync<DkimKeyPublished>());

        dns.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await dns.Drift.RunDueAsync(dns.Database.Database, default));
        Assert.Equal(2, await dns.OutboxCountAsync<DkimKeyPublished>());
        var selectors = await SelectorsAsync(domain, dns, serviceId);
        Assert.Equal(2, selectors.Count);
        Assert.Contains(first, selectors);
        foreach (var selector in selectors) Assert.NotEmpty(await dns.TxtAsync($"{selector}._domainkey.{domain}"));

        dns.Time.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await dns.Drift.RunDueAsync(dns.Database.Database, default));
        Assert.Empty(await dns.TxtAsync($"{first}._domainkey.{domain}"));
        Assert.DoesNotContain(first, await SelectorsAsync(domain, dns, serviceId));
        Assert.Equal(0, await dns.OutboxCountAsync<DnsDriftRepaired>()); // scheduled changes are not drift
    }

    private static async Task<List<DriftEventRow>> DriftAsync(DnsTestContext dns) =>
        [.. (await DriftEvents.SinceAsync(dns.Database.Database, DateTimeOffset.MinValue, 0, 100, default)).Items];

    private static async Task<List<string>> SelectorsAsync(string domain, DnsTestContext dns, Guid serviceId) =>
        [.. (await dns.PublishedAsync(serviceId)).Where(r => r.Name.EndsWith($"._domainkey.{domain}.", StringComparison.Ordinal)).Select(r => r.Name.Split('.')[0])];
}
