using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace ProMTA.Dns.PowerDns;

/// <summary>Zones and records on PowerDNS Authoritative through its HTTP API (v1). Every write is idempotent.</summary>
public sealed class PowerDnsClient(HttpClient http, IOptions<PowerDnsOptions> options, PowerDnsWriteGate writes)
{
    private string Zones => $"api/v1/servers/{options.Value.ServerId}/zones";

    /// <summary>Creates a Native zone unless it exists (409/422, also from a concurrent creator, count as success).</summary>
    /// <remarks>
    /// No GET first: every PowerDNS API call costs a database session of its own (its API opens one per request), and a
    /// GET answers the whole zone, which for the shared host zone grows by a record per dedicated IP.
    /// No rectify after API writes (<c>api_rectify</c> false): PowerDNS would rewrite the DNSSEC order and auth fields
    /// of every name in the zone after each PATCH, so a write into the host zone cost time in proportion to the fleet
    /// (3.5 ms at 10 records, 89 ms at 20,000 on SQLite: tools/scripts/powerdns-write-benchmark.sh). Those fields serve
    /// only DNSSEC signing and names below a delegation inside a zone, and ProMTA's zones have neither.
    /// </remarks>
    public async Task EnsureZoneAsync(string zone, CancellationToken ct)
    {
        using var created = await writes.WriteAsync(() => http.PostAsJsonAsync(Zones, new
        {
            name = zone,
            kind = "Native",
            nameservers = options.Value.Nameservers,
            soa_edit_api = "DEFAULT",
            api_rectify = false,
        }, ct), ct);
        if (created.IsSuccessStatusCode || created.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity) return;
        // Two services' IPs in one /24 share a reverse zone: created by another consumer at the same time, the zone is
        // there, though PowerDNS's sqlite backend answers that race with a 500 (UNIQUE constraint), not a 409.
        using var again = await http.GetAsync($"{Zones}/{zone}?rrsets=false", ct);
        if (again.IsSuccessStatusCode) return;
        throw new HttpRequestException($"PowerDNS refused zone {zone}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
    }

    public Task ReplaceRecordAsync(string zone, string name, string type, string content, CancellationToken ct) =>
        ReplaceRecordsAsync(zone, [new Domain.DnsRecord(name, type, content)], ct);

    /// <summary>
    /// Replaces each record's rrset in one PATCH (one transaction in PowerDNS: all or none), creating the zone first only
    /// when PowerDNS answers that it has none: one call per write once the zone exists, not an ensure before each.
    /// </summary>
    public async Task ReplaceRecordsAsync(string zone, IEnumerable<Domain.DnsRecord> records, CancellationToken ct)
    {
        object[] rrsets = [.. records.Select(r => (object)new
        {
            name = r.Name, type = r.Type, ttl = options.Value.Ttl, changetype = "REPLACE",
            records = new[] { new { content = r.Content, disabled = false } },
        })];
        if (rrsets.Length == 0) return;
        using var response = await SendPatchAsync(zone, rrsets, ct);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(zone, response, ct);
            return;
        }
        await EnsureZoneAsync(zone, ct);
        await PatchAsync(zone, rrsets, ct);
    }

    /// <summary>Deletes rrsets; deleting one that is not there is a no-op in PowerDNS, so a redelivery is harmless.</summary>
    public Task DeleteRecordsAsync(string zone, IEnumerable<(string Name, string Type)> rrsets, CancellationToken ct) =>
        PatchAsync(zone, [.. rrsets.Select(r => (object)new { name = r.Name, type = r.Type, changetype = "DELETE" })], ct);

    /// <summary>Deletes a zone; a zone already gone counts as deleted.</summary>
    public async Task DeleteZoneAsync(string zone, CancellationToken ct)
    {
        using var response = await writes.WriteAsync(() => http.DeleteAsync($"{Zones}/{zone}", ct), ct);
        if (response.IsSuccessStatusCode || response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity) return;
        throw new HttpRequestException($"PowerDNS refused to delete zone {zone}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    private async Task PatchAsync(string zone, object[] rrsets, CancellationToken ct)
    {
        if (rrsets.Length == 0) return;
        using var response = await SendPatchAsync(zone, rrsets, ct);
        await EnsureSuccessAsync(zone, response, ct);
    }

    private Task<HttpResponseMessage> SendPatchAsync(string zone, object[] rrsets, CancellationToken ct) =>
        writes.WriteAsync(() => http.PatchAsJsonAsync($"{Zones}/{zone}", new { rrsets }, ct), ct);

    private static async Task EnsureSuccessAsync(string zone, HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"PowerDNS refused a change of {zone}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }
}
