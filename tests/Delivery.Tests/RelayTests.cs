using MailKit.Net.Smtp;
using MailKit.Security;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class RelayTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Mail_without_authentication_is_refused_with_530()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync();

        // MailKit turns a 530 reply into ServiceNotAuthenticatedException.
        var refused = await Assert.ThrowsAsync<MailKit.ServiceNotAuthenticatedException>(() => client.SendAsync(RelayHost.Message("someone@gmail.test")));

        Assert.StartsWith("5.7.0 Authentication required", refused.Message);
    }

    [Fact]
    public async Task An_open_relay_attempt_is_refused_and_nothing_is_queued()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", relay.Port);
        using var reader = new StreamReader(tcp.GetStream());
        await using var writer = new StreamWriter(tcp.GetStream()) { AutoFlush = true, NewLine = "\r\n" };

        // What an open-relay probe sends: no AUTH, a foreign sender and a foreign recipient.
        Assert.StartsWith("220", await ReplyAsync(reader));
        await writer.WriteLineAsync("EHLO probe.test");
        Assert.StartsWith("250", await ReplyAsync(reader));
        await writer.WriteLineAsync("MAIL FROM:<spammer@elsewhere.test>");
        Assert.StartsWith("530 5.7.0", await ReplyAsync(reader));
        await writer.WriteLineAsync("RCPT TO:<victim@example.test>");
        var rcpt = await ReplyAsync(reader);
        Assert.StartsWith("5", rcpt); // 501/503: no transaction without an accepted MAIL
        await writer.WriteLineAsync("DATA");
        Assert.StartsWith("5", await ReplyAsync(reader));
        Assert.Equal(0L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    /// <summary>One SMTP reply, multi-line replies joined; returns its last line.</summary>
    private static async Task<string> ReplyAsync(StreamReader reader)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync() ?? throw new EndOfStreamException();
            if (line.Length < 4 || line[3] != '-') return line;
        }
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync();

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(relay.Username, "not-the-password"));
    }

    [Fact]
    public async Task Auth_is_offered_only_after_starttls_unless_plain_auth_is_allowed()
    {
        await using var relay = await RelayHost.StartAsync(postgres, allowPlainAuth: false);

        using (var plain = await relay.ConnectAsync(SecureSocketOptions.None))
        {
            Assert.False(plain.Capabilities.HasFlag(SmtpCapabilities.Authentication));
            Assert.True(plain.Capabilities.HasFlag(SmtpCapabilities.StartTLS));
            Assert.True(plain.Capabilities.HasFlag(SmtpCapabilities.Size));
            Assert.True(plain.Capabilities.HasFlag(SmtpCapabilities.EightBitMime));
            Assert.True(plain.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
        }
        using var secure = await relay.ConnectAsync(SecureSocketOptions.StartTls);
        Assert.True(secure.IsSecure);
        Assert.Contains("PLAIN", secure.AuthenticationMechanisms);
        Assert.Contains("LOGIN", secure.AuthenticationMechanisms);
        await secure.AuthenticateAsync(relay.Username, RelayHost.Password);
        await secure.SendAsync(RelayHost.Message("someone@gmail.test"));
    }

    [Fact]
    public async Task A_message_is_stored_durably_before_250()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        var message = RelayHost.Message("first@gmail.test", "Durable");
        message.To.Add(MimeKit.MailboxAddress.Parse("second@gmail.test"));

        var reply = await client.SendAsync(message);

        Assert.Contains("queued as", reply);
        var messageId = Guid.ParseExact(reply[(reply.LastIndexOf(' ') + 1)..], "N");
        Assert.True(await relay.QuerySingleAsync<int>("SELECT length(data) FROM messages WHERE id = @messageId", new { messageId }) > 0);
        Assert.Equal(2L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE message_id = @messageId", new { messageId }));
        Assert.Equal(relay.ServiceId, await relay.QuerySingleAsync<Guid>("SELECT service_id FROM messages WHERE id = @messageId", new { messageId }));
    }

    [Fact]
    public async Task Messages_of_concurrent_sessions_committed_together_are_each_stored_whole_before_their_250()
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        // Sessions submitting at once share group commits; each reply must still name a message stored with all its recipients.
        var replies = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => relay.SubmitAsync($"a{i}@gmail.test", $"b{i}@yahoo.test")));

        var ids = replies.Select(reply => Guid.ParseExact(reply[(reply.LastIndexOf(' ') + 1)..], "N")).ToArray();
        Assert.Equal(24, ids.Distinct().Count());
        Assert.Equal(24L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages WHERE id = ANY(@ids) AND length(data) = size AND size > 0", new { ids }));
        Assert.Equal(48L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE message_id = ANY(@ids)", new { ids }));
        Assert.Equal(48L, await relay.QuerySingleAsync<long>(
            "SELECT count(*) FROM delivery_events e JOIN recipients r ON r.id = e.recipient_id AND r.message_id = e.message_id WHERE e.event = 'accepted' AND r.message_id = ANY(@ids)", new { ids }));
    }

    [Fact]
    public async Task A_suspended_service_is_refused_with_its_reason()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await relay.QuerySingleAsync<int>("UPDATE relay_accounts SET status = 'Suspended' RETURNING 1");
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(RelayHost.Message("someone@gmail.test")));

        Assert.Equal(550, (int)refused.StatusCode);
        Assert.Contains("suspended", refused.Message);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        var message = RelayHost.Message("someone@gmail.test");
        message.Body = new MimeKit.TextPart("plain") { Text = new string('x', 2 * 1024 * 1024) };

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(message));

        Assert.Equal(552, (int)refused.StatusCode);
    }
}
