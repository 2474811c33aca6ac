using System.Net;
using System.Net.Sockets;
using ProMTA.Delivery.Outbound.Smtp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>Our outbound client takes STARTTLS whenever a server offers it (real ISPs require it), here the relay's own.</summary>
public sealed class SmtpSessionTlsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_server_that_offers_STARTTLS_gets_an_encrypted_session_and_a_second_EHLO()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, relay.Port));

        await using var session = await SmtpSession.OpenAsync(socket, "localhost", "mta.customer.test", TimeSpan.FromSeconds(30), default);

        Assert.True(session.IsEncrypted);
        // What the server offers after TLS (RFC 3207 4.2: asked again), no STARTTLS any more.
        Assert.False(session.Capabilities.StartTls);
        Assert.True(await session.NoOpAsync(default));
        await session.QuitAsync();
    }
}
