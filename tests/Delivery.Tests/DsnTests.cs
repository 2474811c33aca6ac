using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.Cryptography;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Delivery status notifications (RFC 3464) to the sender: the sender's domain (customer.test) has its own fake MX, so
/// a report travels the whole way: queued, delivered from the service's IP, received and parsed.
/// </summary>
public sealed class DsnTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_5xx_bounce_sends_one_report_listing_every_failed_recipient_to_the_sender()
    {
        await using var sender = await SenderMx.StartAsync();
        await using var relay = await sender.RelayAsync(postgres);
        var publicKey = await DkimSigningTests.PublishKeyAsync(relay, "customer.test");

        await relay.SubmitAsync("unknown-bob@gmail.test", "ada@gmail.test", "unknown-carl@gmail.test");

        var (envelope, report) = await sender.SingleReportAsync();
        Assert.Null(envelope.From); // MAIL FROM:<> (SmtpServer's empty mailbox has no address)
        Assert.Equal(["sender@customer.test"], envelope.To);
        Assert.Equal(RelayHost.SourceIp, envelope.ClientIp); // from the service's dedicated IP
        Assert.Equal("MAILER-DAEMON@customer.test", report.From.Mailboxes.Single().Address);
        Assert.Equal("auto-replied", report.Headers["Auto-Submitted"]);

        var body = Assert.IsType<MultipartReport>(report.Body);
        Assert.Equal("delivery-status", body.ReportType);
        Assert.Equal(3, body.Count);
        var human = Assert.IsType<TextPart>(body[0]);
        Assert.Contains("<unknown-bob@gmail.test>", human.Text);
        var status = Assert.IsType<MessageDeliveryStatus>(body[1]);
        Assert.Equal(3, status.StatusGroups.Count); // per message, then one per failed recipient (not ada)
        Assert.Equal($"dns; {RelayHost.SourceHostname}", status.StatusGroups[0]["Reporting-MTA"]); // the service's PTR name, not localhost
        Assert.Equal(["rfc822; unknown-bob@gmail.test", "rfc822; unknown-carl@gmail.test"], status.StatusGroups.Skip(1).Select(g => g["Final-Recipient"]));
        Assert.All(status.StatusGroups.Skip(1), g =>
        {
            Assert.Equal("failed", g["Action"]);
            Assert.Equal("5.1.1", g["Status"]);
            Assert.StartsWith("smtp; 550 5.1.1 The email account that you tried to reach does not exist", g["Diagnostic-Code"]);
        });
        var headers = Assert.IsType<TextRfc822Headers>(body[2]);
        Assert.Equal("text/rfc822-headers", headers.ContentType.MimeType);
        var original = Assert.IsType<MimeMessage>(headers.Message);
        Assert.Equal("Hello", original.Subject);
        Assert.Equal(report.Headers[HeaderId.InReplyTo], "<" + original.MessageId + ">");

        // Signed with the service's key, like any message it sends.
        var signature = Assert.Single(report.Headers, h => h.Id == HeaderId.DkimSignature);
        var verifier = new DkimVerifier(new DkimSigningTests.PublishedKeyLocator("customer.test", DkimSigningTests.Selector, publicKey));
        Assert.True(await verifier.VerifyAsync(report, signature));

        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE dsn_pending"));
        Assert.Equal(1, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages WHERE mail_from = ''"));
    }

    [Fact]
    public async Task A_recipient_that_expires_is_reported_with_status_4_4_7_and_its_last_reply()
    {
        await using var sender = await SenderMx.StartAsync();
        await using var relay = await sender.RelayAsync(postgres, new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", GreylistAttempts = 1000 },
            new Dictionary<string, string> { ["Delivery:MessageLifetime"] = "00:00:02" });

        await relay.SubmitAsync("late@gmail.test");

        var (_, report) = await sender.SingleReportAsync();
        var group = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(report.Body)[1]).StatusGroups[1];
        Assert.Equal(("rfc822; late@gmail.test", "failed", "4.4.7"), (group["Final-Recipient"], group["Action"], group["Status"]));
        Assert.StartsWith("smtp; 451 4.7.1 Greylisted, please try again later", group["Diagnostic-Code"]);
        Assert.Equal("expired", await relay.QuerySingleAsync<string>(
            "SELECT event FROM delivery_events WHERE recipient = 'late@gmail.test' ORDER BY id DESC LIMIT 1"));
    }

    [Fact]
    public async Task No_report_is_sent_about_mail_whose_sender_was_null_so_a_bouncing_report_stops_there()
    {
        await using var sender = await SenderMx.StartAsync();
        await using var relay = await sender.RelayAsync(postgres);

        // A customer's own null-sender mail that bounces: nobody to tell.
        using (var client = await relay.ConnectAsync())
        {
            await client.AuthenticateAsync(relay.Username, RelayHost.Password);
            await client.SendAsync(RelayHost.Message("unknown-nina@gmail.test"), new MailboxAddress("", ""), [MailboxAddress.Parse("unknown-nina@gmail.test")]);
        }
        // A sender that does not exist either: its report bounces at customer.test, and that bounce is not reported.
        using (var client = await relay.ConnectAsync())
        {
            await client.AuthenticateAsync(relay.Username, RelayHost.Password);
            await client.SendAsync(RelayHost.Message("unknown-otto@gmail.test"), MailboxAddress.Parse("unknown-sender@customer.test"),
                [MailboxAddress.Parse("unknown-otto@gmail.test")]);
        }

        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>(
            "SELECT count(*) FROM recipients WHERE status = 'Bounced' AND NOT dsn_pending") == 3);
        await Task.Delay(1000); // two more DSN passes: nothing new appears
        Assert.Equal(3, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
        Assert.Equal("unknown-sender@customer.test", await relay.QuerySingleAsync<string>(
            "SELECT r.address FROM recipients r JOIN messages m ON m.id = r.message_id WHERE m.mail_from = '' AND r.address LIKE '%customer.test'"));
        Assert.Empty(sender.Mx.Received);
    }
}
