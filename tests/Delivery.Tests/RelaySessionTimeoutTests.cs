using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Sessions end only after IdleTimeout without a byte from the client (RFC 5321 4.5.3.2.7), with 421 4.4.2 first; a session
/// that keeps sending is never cut, however long it lasts (SmtpServer cut every session 120 s after connect).
/// </summary>
public sealed class RelaySessionTimeoutTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static Func<Guid, IReadOnlyDictionary<string, string>> IdleTimeout(string timeout) =>
        _ => new Dictionary<string, string> { ["Relay:IdleTimeout"] = timeout };

    [Fact]
    public async Task An_idle_session_is_told_421_4_4_2_before_it_is_closed()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: IdleTimeout("00:00:02"));
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.SendAsync("EHLO client.test");

        // Nothing sent: the relay speaks first.
        Assert.Equal("421 4.4.2 localhost Idle timeout, closing connection", await smtp.ReplyAsync());
        Assert.True(await smtp.ClosedAsync());
    }

    [Fact]
    public async Task A_client_that_stops_in_the_middle_of_data_gets_421_and_nothing_is_stored()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: IdleTimeout("00:00:02"));
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        await smtp.SendAsync("MAIL FROM:<sender@customer.test>");
        await smtp.SendAsync("RCPT TO:<ada@gmail.test>");
        await smtp.SendAsync("DATA");

        await smtp.WriteAsync("From: sender@customer.test\r\nSubject: half a message\r\n\r\nand then nothing");

        Assert.StartsWith("421 4.4.2", await smtp.ReplyAsync());
        Assert.Equal(0L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task A_session_that_keeps_sending_outlives_its_idle_timeout_many_times_over()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: IdleTimeout("00:00:02"));
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        await smtp.SendAsync("MAIL FROM:<sender@customer.test>");
        await smtp.SendAsync("RCPT TO:<ada@gmail.test>");
        await smtp.SendAsync("DATA");

        // Ten seconds of DATA, a line per second: five idle timeouts long, never idle for one.
        await smtp.WriteAsync("From: sender@customer.test\r\nSubject: slow\r\n\r\n");
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await smtp.WriteAsync($"line {i}\r\n");
        }

        Assert.StartsWith("250 2.0.0", await smtp.SendAsync("."));
        Assert.Equal(1L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task A_30_mb_message_sent_slowly_over_more_than_the_old_120_second_session_limit_is_accepted_whole()
    {
        // Production's default timeout (5 minutes) and size limit; the client sends 2.5 MB every 10 s for 130 s.
        await using var relay = await RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string> { ["Relay:MaxMessageSize"] = $"{50 * 1024 * 1024}" });
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        await smtp.SendAsync("MAIL FROM:<sender@customer.test>");
        await smtp.SendAsync("RCPT TO:<ada@gmail.test>");
        await smtp.SendAsync("DATA");
        await smtp.WriteAsync("From: sender@customer.test\r\nSubject: over two minutes\r\n\r\n");
        var filler = string.Concat(Enumerable.Repeat(new string('x', 76) + "\r\n", 32_000));
        var started = DateTime.UtcNow;
        var chunks = 0;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(130))
        {
            await smtp.WriteAsync($"chunk {chunks}\r\n{filler}");
            chunks++;
            await Task.Delay(TimeSpan.FromSeconds(10));
        }

        var reply = await smtp.SendAsync(".");

        Assert.StartsWith("250 2.0.0 Ok: queued as", reply);
        var messageId = Guid.ParseExact(reply[(reply.LastIndexOf(' ') + 1)..], "N");
        Assert.True(await relay.QuerySingleAsync<int>("SELECT size FROM messages WHERE id = @messageId", new { messageId }) > 30_000_000);
        Assert.True(await relay.QuerySingleAsync<bool>(
            "SELECT position(convert_to(@marker, 'UTF8') in data) > 0 FROM messages WHERE id = @messageId", new { messageId, marker = $"chunk {chunks - 1}\r\n" }));
    }

    [Fact]
    public async Task Hundreds_of_messages_on_one_connection_are_each_stored_once()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        for (var i = 0; i < 300; i++) await client.SendAsync(RelayHost.Message($"r{i}@gmail.test", $"Message {i}"));
        await client.DisconnectAsync(true);

        Assert.Equal(300L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
        Assert.Equal(300L, await relay.QuerySingleAsync<long>("SELECT count(DISTINCT address) FROM recipients"));
    }
}
