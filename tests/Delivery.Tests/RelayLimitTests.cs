using System.Text;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>The relay's abuse limits (issue 14 section 3): each configurable, each answered with a reply that says why.</summary>
public sealed class RelayLimitTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static Func<Guid, IReadOnlyDictionary<string, string>> Settings(params (string Key, string Value)[] settings) =>
        _ => settings.ToDictionary(s => $"Relay:{s.Key}", s => s.Value);

    [Fact]
    public async Task Recipients_past_the_limit_get_452_4_5_3_and_the_message_goes_to_those_accepted()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: Settings(("MaxRecipients", "3")));
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        await smtp.SendAsync("MAIL FROM:<sender@customer.test>");

        for (var i = 0; i < 3; i++) Assert.StartsWith("250 2.1.5", await smtp.SendAsync($"RCPT TO:<r{i}@gmail.test>"));
        Assert.StartsWith("452 4.5.3 Too many recipients", await smtp.SendAsync("RCPT TO:<r3@gmail.test>"));
        await smtp.SendAsync("DATA");

        Assert.StartsWith("250 2.0.0", await smtp.SendAsync("From: sender@customer.test\r\nSubject: three\r\n\r\nbody\r\n."));
        Assert.Equal(3L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients"));
    }

    [Fact]
    public async Task A_recipient_given_twice_is_accepted_and_stored_once()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        await smtp.SendAsync("MAIL FROM:<sender@customer.test>");

        Assert.StartsWith("250 2.1.5", await smtp.SendAsync("RCPT TO:<ada@gmail.test>"));
        Assert.StartsWith("250 2.1.5", await smtp.SendAsync("RCPT TO:<ADA@Gmail.Test>"));
        Assert.StartsWith("250 2.1.5", await smtp.SendAsync("RCPT TO:<ada@gmail.test>"));
        Assert.StartsWith("250 2.1.5", await smtp.SendAsync("RCPT TO:<bob@gmail.test>"));
        await smtp.SendAsync("DATA");
        await smtp.SendAsync("From: sender@customer.test\r\nSubject: twice\r\n\r\nbody\r\n.");

        Assert.Equal(["ada@gmail.test", "bob@gmail.test"], (await relay.QueryAsync<string>("SELECT address FROM recipients ORDER BY address")).ToArray());
    }

    [Fact]
    public async Task Connections_past_the_per_client_limit_get_421_4_7_0_while_other_clients_still_connect()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: Settings(("MaxConnectionsPerClient", "2")));
        await using var first = await SmtpDialog.ConnectAsync(relay.Port);
        await using var second = await SmtpDialog.ConnectAsync(relay.Port);

        await using (var third = await SmtpDialog.ConnectAsync(relay.Port))
        {
            Assert.StartsWith("421 4.7.0 localhost Too many connections", third.Greeting);
            Assert.True(await third.ClosedAsync());
        }
        await using var otherClient = await SmtpDialog.ConnectAsync(relay.Port, localAddress: "127.0.0.2");
        Assert.StartsWith("220 ", otherClient.Greeting);

        // A slot that frees up can be used again.
        await first.SendAsync("QUIT");
        await RelayHost.EventuallyAsync(async () =>
        {
            await using var again = await SmtpDialog.ConnectAsync(relay.Port);
            return again.Greeting.StartsWith("220 ");
        });
    }

    [Theory]
    [InlineData("ada@[127.0.0.1]")]
    [InlineData("ada@[IPv6:::1]")]
    [InlineData("ada@[10.0.0.5]")]
    [InlineData("ada@127.0.0.1")]
    [InlineData("ada@localhost")]
    [InlineData("ada@db.localhost")]
    [InlineData("ada@printer.local")]
    [InlineData("ada@vault.internal")]
    [InlineData("ada@router.home.arpa")]
    public async Task Address_literals_and_internal_destinations_are_refused(string recipient)
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        await smtp.SendAsync("MAIL FROM:<sender@customer.test>");

        Assert.StartsWith("550 5.1.2", await smtp.SendAsync($"RCPT TO:<{recipient}>"));
    }

    [Fact]
    public async Task A_message_with_more_than_100_received_headers_is_refused_as_a_loop()
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        Assert.StartsWith("250 2.0.0", await SendAsync(relay, Received(100) + "From: sender@customer.test\r\nSubject: 100 hops\r\n\r\nbody\r\n."));
        Assert.StartsWith("554 5.4.6 Too many hops", await SendAsync(relay, Received(101) + "From: sender@customer.test\r\nSubject: 101 hops\r\n\r\nbody\r\n."));
        Assert.Equal(1L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task Header_sections_over_the_size_or_field_count_limits_are_refused()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: Settings(("MaxHeaderBytes", "4096"), ("MaxHeaderCount", "20")));

        Assert.StartsWith("552 5.3.4 Message header section too large",
            await SendAsync(relay, $"From: sender@customer.test\r\nSubject: big\r\nX-Big: {new string('x', 900)}\r\n {new string('y', 900)}\r\n {new string('z', 900)}\r\n {new string('w', 900)}\r\n {new string('v', 900)}\r\n\r\nbody\r\n."));
        Assert.StartsWith("554 5.6.0 Too many header fields",
            await SendAsync(relay, string.Concat(Enumerable.Range(0, 21).Select(i => $"X-Field-{i}: {i}\r\n")) + "\r\nbody\r\n."));
        // The same in the body is only a body.
        Assert.StartsWith("250 2.0.0", await SendAsync(relay, "From: sender@customer.test\r\nSubject: fine\r\n\r\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"X-Field-{i}: {i}\r\n")) + "."));
        Assert.Equal(1L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    private static string Received(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"Received: from hop{i}.test by hop{i + 1}.test; Sat, 5 Dec 2026 10:00:00 +0000\r\n"));

    /// <summary>One message over a fresh authenticated session; returns the reply to its end of data.</summary>
    internal static async Task<string> SendAsync(RelayHost relay, string content, string recipient = "ada@gmail.test")
    {
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        await smtp.SendAsync("MAIL FROM:<sender@customer.test>");
        await smtp.SendAsync($"RCPT TO:<{recipient}>");
        await smtp.SendAsync("DATA");
        return await smtp.SendAsync(content);
    }
}
