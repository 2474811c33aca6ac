using System.Net;
using System.Net.Http.Json;

namespace ProMTA.FakeIsp;

/// <summary>
/// Publishes each fake provider's zone (MX and A records) in the local PowerDNS, so Delivery finds the fake MX
/// through real DNS lookups exactly as it would find the real ones.
/// </summary>
public sealed class DnsPublisher(HttpClient http, string serverId)
{
    public async Task PublishAsync(FakeProviderOptions provider, CancellationToken ct)
    {
        var zone = provider.Domain.TrimEnd('.') + ".";
        var mx = $"mx.{zone}";
        object[] rrsets =
        [
            new { name = zone, type = "MX", ttl = 60, changetype = "REPLACE", records = new[] { new { content = $"10 {mx}", disabled = false } } },
            new { name = mx, type = "A", ttl = 60, changetype = "REPLACE", records = new[] { new { content = provider.Address, disabled = false } } },
            new { name = zone, type = "A", ttl = 60, changetype = "REPLACE", records = new[] { new { content = provider.Address, disabled = false } } },
        ];
        var zones = $"api/v1/servers/{serverId}/zones";
        using var existing = await http.GetAsync($"{zones}/{zone}", ct);
        if (existing.StatusCode == HttpStatusCode.NotFound)
        {
            using var created = await http.PostAsJsonAsync(zones, new { name = zone, kind = "Native", nameservers = new[] { "ns1.promta.local." } }, ct);
            if (!created.IsSuccessStatusCode && created.StatusCode != HttpStatusCode.Conflict)
            {
                throw new HttpRequestException($"PowerDNS refused zone {zone}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
            }
        }
        using var patched = await http.PatchAsJsonAsync($"{zones}/{zone}", new { rrsets }, ct);
        if (!patched.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"PowerDNS refused records of {zone}: {(int)patched.StatusCode} {await patched.Content.ReadAsStringAsync(ct)}");
        }
    }
}
