using MimeKit;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>The fake MX of the senders' domain, customer.test, and a relay that routes that domain to it.</summary>
public sealed class SenderMx : IAsyncDisposable
{
    private SenderMx(FakeMx mx, int port) => (Mx, Port) = (mx, port);

    public FakeMx Mx { get; }
    private int Port { get; }

    public static Task<SenderMx> StartAsync()
    {
        var port = FreePort.Next();
        var mx = new FakeMx(new FakeProviderOptions { Name = "Customer", Domain = "customer.test", Address = "127.0.0.1" }, port);
        mx.Start();
        return Task.FromResult(new SenderMx(mx, port));
    }

    public Task<RelayHost> RelayAsync(PostgresFixture postgres, FakeProviderOptions? gmail = null, Dictionary<string, string>? settings = null) =>
        RelayHost.StartAsync(postgres, gmail, settings: _ => new Dictionary<string, string>(settings ?? [])
        {
            ["Delivery:Routes:customer.test"] = $"127.0.0.1:{Port}",
            ["Dsn:Interval"] = "00:00:00.200",
        });

    public async Task<(ReceivedMessage Envelope, MimeMessage Report)> SingleReportAsync()
    {
        await RelayHost.EventuallyAsync(() => Task.FromResult(Mx.Received.Count > 0));
        await Task.Delay(500); // a second report would have arrived by now
        var envelope = Assert.Single(Mx.Received);
        return (envelope, await MimeMessage.LoadAsync(new MemoryStream(envelope.Data)));
    }

    public ValueTask DisposeAsync() => Mx.DisposeAsync();
}
