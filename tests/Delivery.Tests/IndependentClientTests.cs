using System.Text;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>The relay driven by clients nobody here wrote: Debian's swaks and Python's smtplib.</summary>
public sealed class IndependentClientTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Swaks_submits_over_tls_1_3_with_auth_and_the_message_is_queued()
    {
        await using var relay = await RelayHost.StartAsync(postgres, allowPlainAuth: false);

        var swaks = await ExternalClient.SwaksAsync("--server", $"127.0.0.1:{relay.Port}", "--tls", "--tls-protocol", "tlsv1_3",
            "--auth", "PLAIN", "--auth-user", relay.Username, "--auth-password", RelayHost.Password,
            "--from", "sender@customer.test", "--to", "ada@gmail.test", "--header", "Subject: from swaks");

        Assert.True(swaks.ExitCode == 0, swaks.ToString());
        Assert.Contains("TLS started with cipher TLSv1.3", swaks.Output);
        Assert.Contains("<~  250 2.0.0 Ok: queued as", swaks.Output);
        var data = Encoding.ASCII.GetString(await relay.QuerySingleAsync<byte[]>("SELECT data FROM messages"));
        Assert.Contains("with ESMTPSA", data);
        Assert.Contains("Subject: from swaks", data);
    }

    [Fact]
    public async Task Swaks_sees_the_refusals_with_their_enhanced_codes()
    {
        await using var relay = await RelayHost.StartAsync(postgres);

        var literal = await ExternalClient.SwaksAsync("--server", $"127.0.0.1:{relay.Port}", "--auth", "LOGIN", "--auth-user", relay.Username,
            "--auth-password", RelayHost.Password, "--from", "sender@customer.test", "--to", "ada@[127.0.0.1]");
        var noAuth = await ExternalClient.SwaksAsync("--server", $"127.0.0.1:{relay.Port}", "--from", "sender@customer.test", "--to", "ada@gmail.test");
        var badPassword = await ExternalClient.SwaksAsync("--server", $"127.0.0.1:{relay.Port}", "--auth", "LOGIN", "--auth-user", relay.Username,
            "--auth-password", "wrong", "--from", "sender@customer.test", "--to", "ada@gmail.test");

        Assert.NotEqual(0, literal.ExitCode);
        Assert.Contains("<** 550 5.1.2", literal.Output);
        Assert.Contains("<** 530 5.7.0 Authentication required", noAuth.Output);
        Assert.Contains("<** 535 5.7.8", badPassword.Output);
        Assert.Equal(0L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    private const string SmtplibScript = """
        import smtplib, ssl, sys
        from email.message import EmailMessage
        port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
        s = smtplib.SMTP('127.0.0.1', int(port), local_hostname='python.test')
        s.ehlo()
        print('features', sorted(s.esmtp_features))
        ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        s.starttls(context=ctx)
        print('tls', s.sock.version())
        s.ehlo()
        s.login(user, password)
        m = EmailMessage(); m['From'] = 'sender@customer.test'; m['To'] = 'ada@gmail.test'; m['Subject'] = 'from smtplib'
        m.set_content('sent by python')
        print('refused', s.send_message(m))
        s.mail('sender@customer.test')
        print('rcpt', s.docmd('RCPT TO:<ada@gmail.test>garbage'))
        s.rset()
        print('mail', s.mail('sender@customer.test', ['FOO=1']))
        s.rset()
        print('noop', s.noop())
        print('quit', s.quit())
        """;

    [Fact]
    public async Task Python_smtplib_sees_the_extensions_negotiates_tls_1_3_and_submits()
    {
        await using var relay = await RelayHost.StartAsync(postgres, allowPlainAuth: false);

        var python = await ExternalClient.PythonAsync(SmtplibScript, relay.Port.ToString(), relay.Username, RelayHost.Password);

        Assert.True(python.ExitCode == 0, python.ToString());
        var lines = python.Output.Split('\n');
        Assert.True(lines.Length >= 7, python.ToString());
        Assert.Contains("'enhancedstatuscodes'", lines.Single(l => l.StartsWith("features")));
        Assert.Contains("'dsn'", lines.Single(l => l.StartsWith("features")));
        Assert.Contains("tls TLSv1.3", lines);
        Assert.Contains("refused {}", lines);
        Assert.Contains("501, b'5.1.3", lines.Single(l => l.StartsWith("rcpt")));
        Assert.Equal("mail (555, b'5.5.4 Unsupported parameter FOO')", lines.Single(l => l.StartsWith("mail")));
        Assert.Equal("noop (250, b'2.0.0 Ok')", lines.Single(l => l.StartsWith("noop")));
        Assert.Equal("quit (221, b'2.0.0 Bye')", lines.Single(l => l.StartsWith("quit")));
        Assert.Equal(1L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }
}
