using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>Every reply class of the relay, seen on the wire: basic code and RFC 3463 enhanced code (RFC 2034).</summary>
public sealed class RelayReplyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Ehlo_advertises_enhanced_status_codes_and_dsn_but_not_smtputf8_which_is_not_honoured()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);

        var ehlo = await smtp.SendAsync("EHLO client.test");

        Assert.StartsWith("220 localhost ESMTP", smtp.Greeting);
        var extensions = ehlo.Split('\n').Skip(1).Select(l => l[4..]).ToList();
        Assert.Contains("ENHANCEDSTATUSCODES", extensions);
        Assert.Contains("DSN", extensions);
        Assert.Contains("PIPELINING", extensions);
        Assert.Contains("8BITMIME", extensions);
        Assert.Contains("STARTTLS", extensions);
        Assert.Contains("SIZE 1048576", extensions);
        Assert.DoesNotContain("SMTPUTF8", extensions);
    }

    [Fact]
    public async Task A_whole_transaction_is_answered_with_enhanced_codes()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.SendAsync("EHLO client.test");

        Assert.StartsWith("530 5.7.0", await smtp.SendAsync("MAIL FROM:<sender@customer.test>"));
        Assert.StartsWith("535 5.7.8", await smtp.SendAsync("AUTH PLAIN " + Convert.ToBase64String("\0nobody\0wrong"u8)));
        Assert.StartsWith("235 2.7.0", await smtp.SendAsync("AUTH PLAIN " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{relay.Username}\0{RelayHost.Password}"))));
        Assert.StartsWith("250 2.1.0", await smtp.SendAsync("MAIL FROM:<sender@customer.test>"));
        Assert.StartsWith("250 2.1.5", await smtp.SendAsync("RCPT TO:<ada@gmail.test>"));
        Assert.StartsWith("354 ", await smtp.SendAsync("DATA"));
        Assert.StartsWith("250 2.0.0 Ok: queued as", await smtp.SendAsync("From: sender@customer.test\r\nSubject: hi\r\nDate: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <a@b.test>\r\n\r\nhello\r\n."));
        Assert.StartsWith("250 2.0.0", await smtp.SendAsync("NOOP"));
        Assert.StartsWith("250 2.0.0", await smtp.SendAsync("RSET"));
        Assert.StartsWith("252 2.5.0", await smtp.SendAsync("VRFY ada"));
        Assert.StartsWith("221 2.0.0", await smtp.SendAsync("QUIT"));
        Assert.True(await smtp.ClosedAsync());
    }

    [Fact]
    public async Task Commands_out_of_sequence_get_503_5_5_1_and_unknown_ones_500_5_5_2()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);

        Assert.StartsWith("503 5.5.1", await smtp.SendAsync("MAIL FROM:<sender@customer.test>")); // before EHLO
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        Assert.StartsWith("503 5.5.1", await smtp.SendAsync("RCPT TO:<ada@gmail.test>"));  // before MAIL
        Assert.StartsWith("503 5.5.1", await smtp.SendAsync("DATA"));                      // before MAIL
        Assert.StartsWith("250 2.1.0", await smtp.SendAsync("MAIL FROM:<sender@customer.test>"));
        Assert.StartsWith("503 5.5.1", await smtp.SendAsync("MAIL FROM:<sender@customer.test>")); // nested
        Assert.StartsWith("503 5.5.1", await smtp.SendAsync("DATA"));                      // no recipient yet
        Assert.StartsWith("503 5.5.1", await smtp.SendAsync("AUTH PLAIN AAAA"));           // already authenticated
        Assert.StartsWith("500 5.5.2", await smtp.SendAsync("FROBNICATE"));
        Assert.StartsWith("501 5.5.4", await smtp.SendAsync("EHLO"));
    }

    [Theory]
    [InlineData("MAIL FROM:<sender@customer.test> FOO=bar", "555 5.5.4")]
    [InlineData("MAIL FROM:<sender@customer.test> SMTPUTF8", "555 5.5.4")]
    [InlineData("MAIL FROM:<sender@customer.test> RET=MAYBE", "501 5.5.4")]
    [InlineData("MAIL FROM:<sender@customer.test>garbage", "501 5.1.7")]
    [InlineData("MAIL FROM:sender@customer.test", "501 5.1.7")]
    [InlineData("MAIL TO:<sender@customer.test>", "501 5.5.4")]
    [InlineData("MAIL FROM:<séndér@customer.test>", "553 5.6.7")]
    [InlineData("RCPT TO:<ada@gmail.test>garbage", "501 5.1.3")]
    [InlineData("RCPT TO:<ada@gmail.test> NOTIFY=SOMETIMES", "501 5.5.4")]
    [InlineData("RCPT TO:<ada@gmail.test> NOTIFY=NEVER,FAILURE", "501 5.5.4")]
    [InlineData("RCPT TO:<ada@gmail.test> NOTIFY=FAILURE,SOMETIMES", "501 5.5.4")]
    [InlineData("RCPT TO:<ada@gmail.test> ORCPT=ada@gmail.test", "501 5.5.4")]
    [InlineData("MAIL FROM:<sender@customer.test> ENVID=has=equals", "501 5.5.4")]
    [InlineData("MAIL FROM:<sender@customer.test> SIZE=2000000", "552 5.3.4")]
    [InlineData("RCPT TO:<ada@gmail.test> XFORWARD=1", "555 5.5.4")]
    [InlineData("RCPT TO:<ada..lovelace@gmail.test>", "501 5.1.3")]
    [InlineData("RCPT TO:<ada@gmail..test>", "501 5.1.3")]
    [InlineData("RCPT TO:<ada@-gmail.test>", "501 5.1.3")]
    [InlineData("RCPT TO:<>", "501 5.1.3")]
    [InlineData("RCPT TO:<adà@gmail.test>", "553 5.6.7")]
    [InlineData("RCPT TO:<ada@gmäil.test>", "553 5.6.7")]
    public async Task Malformed_commands_get_a_reply_that_says_what_is_wrong(string command, string expected)
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        if (command.StartsWith("RCPT")) await smtp.SendAsync("MAIL FROM:<sender@customer.test>");

        Assert.StartsWith(expected, await smtp.SendAsync(command));
    }

    [Fact]
    public async Task Local_parts_over_64_octets_and_labels_over_63_are_refused_at_the_limit_not_before()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);
        await smtp.SendAsync("MAIL FROM:<sender@customer.test>");

        Assert.StartsWith("250 2.1.5", await smtp.SendAsync($"RCPT TO:<{new string('a', 64)}@gmail.test>"));
        Assert.StartsWith("501 5.1.3", await smtp.SendAsync($"RCPT TO:<{new string('a', 65)}@gmail.test>"));
        Assert.StartsWith("250 2.1.5", await smtp.SendAsync($"RCPT TO:<ada@{new string('b', 63)}.test>"));
        Assert.StartsWith("501 5.1.3", await smtp.SendAsync($"RCPT TO:<ada@{new string('b', 64)}.test>"));
        await smtp.SendAsync("RSET");
        Assert.StartsWith("501 5.1.7", await smtp.SendAsync($"MAIL FROM:<{new string('a', 65)}@customer.test>"));
    }

    [Fact]
    public async Task Too_many_protocol_errors_end_the_session_with_421_4_7_0()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string> { ["Relay:MaxErrors"] = "3" });
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);

        Assert.StartsWith("500 5.5.2", await smtp.SendAsync("JUNK 1"));
        Assert.StartsWith("500 5.5.2", await smtp.SendAsync("JUNK 2"));
        Assert.StartsWith("500 5.5.2", await smtp.SendAsync("JUNK 3"));
        Assert.StartsWith("421 4.7.0 localhost Too many errors", await smtp.ReplyAsync());
        Assert.True(await smtp.ClosedAsync());
    }

    [Fact]
    public async Task Pipelined_commands_are_each_answered_in_order()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
        await smtp.LoginAsync(relay.Username, RelayHost.Password);

        await smtp.WriteAsync("MAIL FROM:<sender@customer.test>\r\nRCPT TO:<ada@gmail.test>\r\nRCPT TO:<bob@gmail.test>\r\nDATA\r\n");

        Assert.StartsWith("250 2.1.0", await smtp.ReplyAsync());
        Assert.StartsWith("250 2.1.5", await smtp.ReplyAsync());
        Assert.StartsWith("250 2.1.5", await smtp.ReplyAsync());
        Assert.StartsWith("354", await smtp.ReplyAsync());
        // The end of data and the next transaction in one write: each answered, none waits for more bytes.
        await smtp.WriteAsync("From: sender@customer.test\r\nSubject: pipelined\r\n\r\nbody\r\n.\r\nMAIL FROM:<sender@customer.test>\r\nRCPT TO:<bob@gmail.test>\r\nDATA\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as", await smtp.ReplyAsync());
        Assert.StartsWith("250 2.1.0", await smtp.ReplyAsync());
        Assert.StartsWith("250 2.1.5", await smtp.ReplyAsync());
        Assert.StartsWith("354", await smtp.ReplyAsync());
        await smtp.WriteAsync("From: sender@customer.test\r\nSubject: second\r\n\r\nbody\r\n.\r\nQUIT\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as", await smtp.ReplyAsync());
        Assert.StartsWith("221 2.0.0", await smtp.ReplyAsync());
        Assert.Equal(2L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }
}
