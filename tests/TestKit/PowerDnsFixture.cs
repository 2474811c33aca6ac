using System.Net;
using Xunit;

namespace ProMTA.TestKit;

/// <summary>
/// A real PowerDNS Authoritative (gsqlite3 + HTTP API) for DNS tests: eng/native/pdns.sh, the script the AppHost
/// runs, on free ports with its own data. A server that cannot start fails the tests; it is never skipped.
/// </summary>
public sealed class PowerDnsFixture : IAsyncLifetime
{
    private NativeServer? server;

    public string ApiUrl { get; private set; } = "";
    public string ApiKey { get; } = Guid.NewGuid().ToString("N");
    public IPEndPoint DnsEndpoint { get; private set; } = new(IPAddress.Loopback, 0);

    public async Task InitializeAsync()
    {
        // DNS needs UDP and TCP on one port; a free TCP port is almost always free for UDP too on loopback.
        var dnsPort = FreePort.Next();
        var apiPort = FreePort.Next();
        var data = Repository.NewDataDirectory("pdns");
        server = NativeServer.Start("pdns.sh", data, new Dictionary<string, string>
        {
            ["PDNS_DATA_DIR"] = data,
            ["DNS_PORT"] = dnsPort.ToString(),
            ["API_PORT"] = apiPort.ToString(),
            ["API_KEY"] = ApiKey,
        });
        ApiUrl = $"http://127.0.0.1:{apiPort}";
        DnsEndpoint = new IPEndPoint(IPAddress.Loopback, dnsPort);
        using var http = NewApiClient();
        await server.WaitUntilReadyAsync(async () => (await http.GetAsync("api/v1/servers/localhost")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
    }

    /// <summary>An HttpClient on the API with the key set, as the services configure theirs.</summary>
    public HttpClient NewApiClient()
    {
        var http = new HttpClient { BaseAddress = new Uri(ApiUrl + "/") };
        http.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        return http;
    }

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }
}
