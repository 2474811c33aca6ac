using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace ProMTA.Dns.PowerDns;

/// <summary>Zones and records on PowerDNS Authoritative through its HTTP API (v1). Every write is idempotent.</summary>
public sealed class PowerDnsClient(HttpClient http, IOptions<PowerDnsOptions> options)
{
    private string Zones => $"api/v1/servers/{options.Value.ServerId}/zones";

    /// <summary>Creates a Native zone unless it exists (409/422 from a concurrent creator count as success).</summary>
    public async Task EnsureZoneAsync(string zone, CancellationToken ct)
    {
        using var existing = await http.GetAsync($"{Zones}/{zone}", ct);
        if (existing.IsSuccessStatusCode) return;
        using var created = await http.PostAsJsonAsync(Zones, new
        {
            name = zone,
            kind = "Native",
            nameservers = options.Value.Nameservers,
            soa_edit_api = "DEFAULT",
        }, ct);
        if (created.IsSuccessStatusCode || created.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity) return;
        throw new HttpRequestException($"PowerDNS refused zone {zone}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
    }

    public async Task ReplaceRecordAsync(string zone, string name, string type, string content, CancellationToken ct)
    {
        var patch = new
        {
            rrsets = new[]
            {
                new
                {
                    name, type, ttl = options.Value.Ttl, changetype = "REPLACE",
                    records = new[] { new { content, disabled = false } },
                },
            },
        };
        using var response = await http.PatchAsJsonAsync($"{Zones}/{zone}", patch, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"PowerDNS refused {type} {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }
}
