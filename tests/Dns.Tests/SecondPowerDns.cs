using System.Net.Http.Json;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Dns.Tests;

/// <summary>
/// A second, separate PowerDNS playing the outside world: the parent zone a registrar writes the NS records into, or a
/// public resolver that does (not yet) see what we published.
/// </summary>
public sealed class SecondPowerDns : IAsyncLifetime
{
    public PowerDnsFixture Server { get; } = new();

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();

    /// <summary>Creates <paramref name="zone"/> unless it exists.</summary>
    public async Task EnsureZoneAsync(string zone)
    {
        using var http = Server.NewApiClient();
        if ((await http.GetAsync($"api/v1/servers/localhost/zones/{zone}")).IsSuccessStatusCode) return;
        using var created = await http.PostAsJsonAsync("api/v1/servers/localhost/zones",
            new { name = zone, kind = "Native", nameservers = new[] { "a.registry.test." } });
        created.EnsureSuccessStatusCode();
    }

    /// <summary>Sets the rrset <paramref name="name"/>/<paramref name="type"/> in <paramref name="zone"/> to <paramref name="contents"/> (none: deletes it).</summary>
    public async Task SetAsync(string zone, string name, string type, params string[] contents)
    {
        await EnsureZoneAsync(zone);
        using var http = Server.NewApiClient();
        object rrset = contents.Length == 0
            ? new { name, type, changetype = "DELETE" }
            : new { name, type, ttl = 60, changetype = "REPLACE", records = contents.Select(c => new { content = c, disabled = false }).ToArray() };
        using var response = await http.PatchAsJsonAsync($"api/v1/servers/localhost/zones/{zone}", new { rrsets = new[] { rrset } });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
