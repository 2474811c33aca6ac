using Microsoft.Extensions.Options;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>Relay:TrustedClients lets a benchmark injector that cannot AUTH (smtp-source) relay for one service, in Development only.</summary>
public sealed class TrustedClientsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static IReadOnlyDictionary<string, string> TrustLoopback(Guid serviceId) =>
        new Dictionary<string, string> { ["Relay:TrustedClients:127.0.0.1"] = serviceId.ToString() };

    [Fact]
    public async Task In_development_a_trusted_client_relays_for_its_service_without_auth()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: TrustLoopback, environment: "Development");
        using var client = await relay.ConnectAsync();

        await client.SendAsync(RelayHost.Message("ada@gmail.test"));

        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.Received.Count == 1));
        Assert.Equal(relay.ServiceId, await relay.QuerySingleAsync<Guid>("SELECT service_id FROM messages"));
    }

    [Fact]
    public async Task Outside_development_the_setting_is_refused_at_start()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => RelayHost.StartAsync(postgres, settings: TrustLoopback));

        Assert.Contains("Relay:TrustedClients is for benchmarks and refused outside Development", refused.Message);
    }
}
