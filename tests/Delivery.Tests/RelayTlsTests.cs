using System.Security.Authentication;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>STARTTLS (RFC 3207): TLS 1.2 and 1.3, and nothing learnt before TLS survives it.</summary>
public sealed class RelayTlsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    public async Task Starttls_negotiates_the_protocol_the_client_offers(SslProtocols protocol)
    {
        await using var relay = await RelayHost.StartAsync(postgres, allowPlainAuth: false);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.SendAsync("EHLO client.test");

        Assert.Equal(protocol, await smtp.StartTlsAsync(protocol));
        var ehlo = await smtp.SendAsync("EHLO client.test");
        Assert.Contains("AUTH PLAIN LOGIN", ehlo);
        Assert.DoesNotContain("STARTTLS", ehlo);
        Assert.StartsWith("503 5.5.1", await smtp.SendAsync("STARTTLS"));
    }

    [Fact]
    public async Task Auth_before_starttls_is_refused_with_530_when_plain_auth_is_not_allowed()
    {
        await using var relay = await RelayHost.StartAsync(postgres, allowPlainAuth: false);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);

        Assert.DoesNotContain("AUTH", await smtp.SendAsync("EHLO client.test"));
        Assert.StartsWith("530 5.7.0 Must issue a STARTTLS command first", await smtp.SendAsync("AUTH PLAIN AHgAeQ=="));
    }

    [Fact]
    public async Task Starttls_discards_the_authentication_and_greeting_obtained_before_it()
    {
        await using var relay = await RelayHost.StartAsync(postgres, allowPlainAuth: true);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);

        await smtp.StartTlsAsync();

        Assert.StartsWith("503 5.5.1", await smtp.SendAsync("MAIL FROM:<sender@customer.test>")); // EHLO again first
        Assert.Contains("AUTH PLAIN LOGIN", await smtp.SendAsync("EHLO client.test"));          // AUTH offered again
        Assert.StartsWith("530 5.7.0", await smtp.SendAsync("MAIL FROM:<sender@customer.test>")); // not authenticated any more
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        Assert.StartsWith("250 2.1.0", await smtp.SendAsync("MAIL FROM:<sender@customer.test>"));
    }
}
