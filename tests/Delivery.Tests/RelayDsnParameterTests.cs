using MailKit.Net.Smtp;
using MimeKit;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The DSN extension (RFC 3461) end to end: parameters given at MAIL/RCPT, stored with the message, honoured by the report
/// the sender's domain (customer.test, its own fake MX) receives.
/// </summary>
public sealed class RelayDsnParameterTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Script = """
        import smtplib, ssl, sys
        port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
        s = smtplib.SMTP('127.0.0.1', int(port))
        s.ehlo('python.test')
        ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        s.starttls(context=ctx)
        s.ehlo('python.test')
        assert s.has_extn('dsn'), s.esmtp_features
        s.login(user, password)
        print(s.mail('sender@customer.test', ['RET=FULL', 'ENVID=env+2B42']))
        print(s.rcpt('unknown-bob@gmail.test', ['NOTIFY=FAILURE,DELAY', 'ORCPT=rfc822;bob+2Boriginal@customer.test']))
        print(s.rcpt('unknown-carl@gmail.test', ['NOTIFY=NEVER']))
        print(s.rcpt('ada@gmail.test', ['NOTIFY=SUCCESS']))
        print(s.data(b'From: sender@customer.test\r\nSubject: DSN parameters\r\n\r\nthe original body\r\n'))
        s.quit()
        """;

    [Fact]
    public async Task Notify_orcpt_ret_and_envid_from_python_smtplib_shape_the_report()
    {
        await using var sender = await SenderMx.StartAsync();
        await using var relay = await sender.RelayAsync(postgres);

        var python = await ExternalClient.PythonAsync(Script, relay.Port.ToString(), relay.Username, RelayHost.Password);

        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.Contains("(250, b'2.0.0 Ok: queued as", python.Output);
        var (_, report) = await sender.SingleReportAsync();
        var body = Assert.IsType<MultipartReport>(report.Body);
        var status = Assert.IsType<MessageDeliveryStatus>(body[1]);
        Assert.Equal("env+42", status.StatusGroups[0]["Original-Envelope-Id"]);
        // carl asked for NEVER and ada was delivered: bob is the only recipient reported.
        var bob = Assert.Single(status.StatusGroups.Skip(1));
        Assert.Equal("rfc822;bob+original@customer.test", bob["Original-Recipient"]);
        Assert.Equal("rfc822; unknown-bob@gmail.test", bob["Final-Recipient"]);
        // RET=FULL: the whole message comes back, not only its headers.
        var returned = Assert.IsType<MessagePart>(body[2]);
        Assert.Equal("message/rfc822", returned.ContentType.MimeType);
        Assert.Contains("the original body", returned.Message!.TextBody);
        Assert.Equal(2L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Bounced' AND NOT dsn_pending AND address LIKE 'unknown-%'"));
    }

    [Fact]
    public async Task Notify_never_from_mailkit_means_no_report_at_all()
    {
        await using var sender = await SenderMx.StartAsync();
        await using var relay = await sender.RelayAsync(postgres);
        using var client = new NeverNotifyClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", relay.Port, MailKit.Security.SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        await client.SendAsync(RelayHost.Message("unknown-dora@gmail.test"));

        Assert.Equal("NEVER", await relay.QuerySingleAsync<string>("SELECT dsn_notify FROM recipients"));
        Assert.Equal("HDRS", await relay.QuerySingleAsync<string>("SELECT dsn_ret FROM messages"));
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<string>("SELECT status FROM recipients") == "Bounced");
        await Task.Delay(1000); // several DSN passes: none reports it
        Assert.Empty(sender.Mx.Received);
        Assert.Equal(1L, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    /// <summary>MailKit sends NOTIFY and RET only when the server advertises DSN.</summary>
    private sealed class NeverNotifyClient : SmtpClient
    {
        public NeverNotifyClient() => DeliveryStatusNotificationType = DeliveryStatusNotificationType.HeadersOnly;

        protected override MailKit.DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) =>
            MailKit.DeliveryStatusNotification.Never;
    }
}
