using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.Dns.Domain;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

/// <summary>
/// Shared zones (the host zone, a /24's reverse zone) are created by the first record written into them, not ensured
/// before every write: each PowerDNS API call costs it a database session, and a GET answers the whole zone.
/// </summary>
public sealed class PowerDnsClientTests(PostgresFixture postgres, PowerDnsFixture powerDns)
    : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    [Fact]
    public async Task A_record_written_into_a_zone_PowerDns_does_not_have_creates_the_zone_and_answers()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var subnet = $"127.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(0, 250)}";
        var zone = ReverseZones.ZoneOf($"{subnet}.7");
        var ptr = new DnsRecord(ReverseZones.PtrName($"{subnet}.7"), "PTR", "mta7.client.promta.local.");

        await dns.PowerDns.ReplaceRecordAsync(zone, ptr.Name, ptr.Type, ptr.Value, default);

        Assert.True(await dns.Live.AnswersAsync(ptr, default), $"{ptr.Name} does not answer");
    }

    [Fact]
    public async Task Ensuring_a_zone_that_exists_leaves_its_records()
    {
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var zone = $"ensure{Random.Shared.Next(1_000_000)}.promta.test.";
        var a = new DnsRecord($"mail.{zone}", "A", "192.0.2.10");
        await dns.PowerDns.ReplaceRecordsAsync(zone, [a], default);

        await dns.PowerDns.EnsureZoneAsync(zone, default);

        Assert.True(await dns.Live.AnswersAsync(a, default), $"{a.Name} no longer answers");
    }

    [Fact]
    public async Task A_zone_ProMTA_creates_is_not_rectified_after_each_write()
    {
        // Rectifying rewrites every name of the zone after each PATCH: the shared host zone, with a record per dedicated
        // IP, would make every IP's write cost in proportion to the fleet.
        await using var dns = await DnsTestContext.StartAsync(postgres, powerDns);
        var zone = $"rectify{Random.Shared.Next(1_000_000)}.promta.test.";
        await dns.PowerDns.ReplaceRecordsAsync(zone, [new DnsRecord($"mta1.{zone}", "A", "192.0.2.11")], default);

        using var api = powerDns.NewApiClient();
        // The zone's own setting: without it PowerDNS rectifies (its default-api-rectify), though the zone reads false.
        var metadata = await api.GetFromJsonAsync<JsonElement>($"api/v1/servers/localhost/zones/{zone}/metadata");
        var setting = metadata.EnumerateArray().SingleOrDefault(m => m.GetProperty("kind").GetString() == "API-RECTIFY");

        Assert.True(setting.ValueKind == JsonValueKind.Object, $"no API-RECTIFY in {metadata}");
        Assert.Equal("[\"0\"]", setting.GetProperty("metadata").GetRawText());
    }
}
