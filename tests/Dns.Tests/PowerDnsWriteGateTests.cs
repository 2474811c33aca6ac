using ProMTA.Dns.Domain;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

/// <summary>
/// Many orders at once publish their PTR and A records at once. Our PowerDNS (SQLite backend) has one writer: without
/// the write gate a concurrent PATCH failed with "database is locked" (190 of them under 200 orders).
/// </summary>
public sealed class PowerDnsWriteGateTests(PostgresFixture postgres, PowerDnsFixture powerDns)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task Forty_reverse_records_written_at_once_into_one_zone_are_all_written_and_answer()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var subnet = $"127.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(0, 250)}";
        var zone = ReverseZones.ZoneOf($"{subnet}.1");
        await dns.PowerDns.EnsureZoneAsync(zone, default);
        var records = Enumerable.Range(1, 40)
            .Select(i => new DnsRecord(ReverseZones.PtrName($"{subnet}.{i}"), "PTR", $"mta{i}.gate.promta.local.")).ToList();

        await Task.WhenAll(records.Select(r => Task.Run(() => dns.PowerDns.ReplaceRecordAsync(zone, r.Name, r.Type, r.Value, default))));

        foreach (var record in records)
        {
            Assert.True(await dns.Live.AnswersAsync(record, default), $"{record.Name} does not answer");
        }
    }
}
