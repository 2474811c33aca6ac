using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Dapper;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The inbound MX of hosted domains over real sockets: the relay's service signs for customer.test (its DKIM key), so
/// customer.test is hosted; mail there is classified and stored, mail anywhere else refused.
/// </summary>
public sealed class InboundTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Hosted = "customer.test";

    [Fact]
    public async Task A_delivery_status_notification_is_stored_as_dsn_with_its_recipient_status_and_original_message_id_and_publishes_an_event()
    {
        await using var relay = await StartAsync();
        var original = RelayHost.Message("ann@gmail.test");
        original.MessageId = "original-1@customer.test";
        var report = IspReports.Bounce("gmail.test", $"sender@{Hosted}", "ann@gmail.test", original, DateTimeOffset.UtcNow);

        var reply = await SendAsync(relay.InboundPort, "", $"sender@{Hosted}", report);

        Assert.StartsWith("2.0.0 Ok: stored as", reply);
        var row = await relay.QuerySingleAsync<InboundRow>("SELECT * FROM inbound_messages");
        Assert.Equal((InboundKind.Dsn, relay.ServiceId, Hosted, ""), (row.Kind, row.ServiceId, row.Domain, row.MailFrom));
        Assert.Equal(["ann@gmail.test"], row.OriginalRecipients);
        Assert.Equal(["failed"], row.Actions);
        Assert.Equal(["5.1.1"], row.Statuses);
        Assert.Equal("original-1@customer.test", row.OriginalMessageId);
        Assert.Equal([$"sender@{Hosted}"], row.Recipients);
        // Stored whole, behind our own trace header.
        var stored = await MimeMessage.LoadAsync(new MemoryStream(row.Data));
        Assert.Contains("by mx.promta.test (ProMTA)", stored.Headers[HeaderId.Received]);
        Assert.Equal(report.MessageId, stored.MessageId);

        var body = await relay.QuerySingleAsync<string>(
            "SELECT body::text FROM outbox_messages WHERE message_type = 'ProMTA.Contracts.Delivery.InboundReportReceived'");
        var published = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.Equal(row.Id, published.GetProperty("inboundMessageId").GetGuid());
        Assert.Equal(("dsn", Hosted), (published.GetProperty("kind").GetString(), published.GetProperty("domain").GetString()));
        var recipient = Assert.Single(published.GetProperty("recipients").EnumerateArray());
        Assert.Equal(("ann@gmail.test", "failed", "5.1.1"),
            (recipient.GetProperty("address").GetString(), recipient.GetProperty("action").GetString(), recipient.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task An_arf_complaint_to_abuse_is_stored_as_arf_with_its_feedback_type_and_complainant_and_publishes_an_event()
    {
        await using var relay = await StartAsync();
        var original = RelayHost.Message("carl@yahoo.test");
        original.MessageId = "original-2@customer.test";
        var report = IspReports.Complaint("yahoo.test", $"sender@{Hosted}", "carl@yahoo.test", "127.0.1.7", original, DateTimeOffset.UtcNow);

        await SendAsync(relay.InboundPort, "fbl@yahoo.test", $"abuse@{Hosted}", report);

        var row = await relay.QuerySingleAsync<InboundRow>("SELECT * FROM inbound_messages");
        Assert.Equal((InboundKind.Arf, "abuse", "abuse"), (row.Kind, row.FeedbackType, row.Mailbox));
        Assert.Equal(["carl@yahoo.test"], row.OriginalRecipients);
        Assert.Equal("original-2@customer.test", row.OriginalMessageId);
        Assert.Equal(1, await relay.QuerySingleAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE message_type = 'ProMTA.Contracts.Delivery.InboundReportReceived' AND body->>'kind' = 'arf'"));
    }

    [Fact]
    public async Task A_reply_is_stored_as_mail_and_forwarded_from_the_service_ip_to_the_address_the_customer_set()
    {
        await using var relay = await StartAsync();
        await DomainForwarding.SetAsync(relay.Database, relay.ServiceId, Hosted, "owner@gmail.test", DateTimeOffset.UtcNow, default);
        var reply = new MimeMessage();
        reply.From.Add(MailboxAddress.Parse("reader@yahoo.test"));
        reply.To.Add(MailboxAddress.Parse($"news@{Hosted}"));
        reply.Subject = "Re: your newsletter";
        reply.Body = new TextPart("plain") { Text = "Thanks!" };

        await SendAsync(relay.InboundPort, "reader@yahoo.test", $"news@{Hosted}", reply);

        var row = await relay.QuerySingleAsync<InboundRow>("SELECT * FROM inbound_messages");
        Assert.Equal((InboundKind.Mail, "owner@gmail.test", (string?)null), (row.Kind, row.ForwardedTo, row.Mailbox));
        Assert.Equal("Re: your newsletter", row.Subject);
        Assert.Empty(row.OriginalRecipients);
        // Queued in the durable queue for the service, with the domain's postmaster as the reverse path...
        Assert.Equal($"postmaster@{Hosted}", await relay.QuerySingleAsync<string>(
            "SELECT mail_from FROM messages WHERE id = @Id AND service_id = @ServiceId", new { Id = row.ForwardMessageId, relay.ServiceId }));
        // ...and delivered from the service's dedicated IP like anything it sends.
        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.Received.Count > 0));
        var forwarded = Assert.Single(relay.Mx.Received);
        Assert.Equal((RelayHost.SourceIp, $"postmaster@{Hosted}"), (forwarded.ClientIp, forwarded.From));
        Assert.Equal(["owner@gmail.test"], forwarded.To);
        var message = await MimeMessage.LoadAsync(new MemoryStream(forwarded.Data));
        Assert.Equal(("Re: your newsletter", "reader@yahoo.test"), (message.Subject, message.From.Mailboxes.Single().Address));
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM outbox_messages"));
    }

    [Fact]
    public async Task Mail_to_postmaster_is_kept_for_staff_and_not_forwarded_when_no_address_is_set()
    {
        await using var relay = await StartAsync();

        await SendAsync(relay.InboundPort, "someone@yahoo.test", $"Postmaster@{Hosted}", RelayHost.Message($"postmaster@{Hosted}", "Your server"));

        var (items, total) = await InboundMessages.ListAsync(relay.Database, null, RoleMailbox.Postmaster, null, 1, 50, default);
        Assert.Equal(1, total);
        Assert.Equal((InboundKind.Mail, "Your server", (string?)null), (items[0].Kind, items[0].Subject, items[0].ForwardedTo));
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task A_bounce_from_our_own_outbound_to_a_hosted_domain_lands_in_the_inbox()
    {
        // customer.test's MX is our inbound MX: the relay's bounce report about unknown-bob goes there.
        await using var relay = await StartAsync(settings: port => new() { ["Delivery:Routes:customer.test"] = $"127.0.0.1:{port}", ["Dsn:Interval"] = "00:00:00.200" });

        await relay.SubmitAsync("unknown-bob@gmail.test");

        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>("SELECT count(*) FROM inbound_messages") > 0);
        var row = await relay.QuerySingleAsync<InboundRow>("SELECT * FROM inbound_messages");
        Assert.Equal((InboundKind.Dsn, "", RelayHost.SourceIp), (row.Kind, row.MailFrom, row.ClientIp));
        Assert.Equal(["unknown-bob@gmail.test"], row.OriginalRecipients);
        Assert.Equal(["5.1.1"], row.Statuses);
        // The inbound side stores the report before its 250 reaches the outbound worker, which then marks it delivered.
        await RelayHost.EventuallyAsync(async () =>
            await relay.QuerySingleAsync<string>("SELECT status FROM recipients WHERE address = 'sender@customer.test'") == "Delivered");
    }

    [Fact]
    public async Task Mail_for_a_domain_we_do_not_host_is_refused_550_5_7_1_and_nothing_is_stored()
    {
        await using var relay = await StartAsync();
        await AddServiceAsync(relay, "ended.test", "Ended");

        using var client = await ConnectAsync(relay.InboundPort);
        foreach (var to in new[] { "someone@gmail.test", "someone@ended.test", $"someone@sub.{Hosted}" })
        {
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(RelayHost.Message(to)));
            Assert.Equal((SmtpStatusCode.MailboxUnavailable, SmtpErrorCode.RecipientNotAccepted), (refused.StatusCode, refused.ErrorCode));
            Assert.StartsWith("5.7.1 Relaying denied", refused.Message);
        }

        // Independent clients: Python's smtplib and swaks see the same refusal.
        var python = await RunAsync("/usr/bin/python3", "-c", $"""
            import smtplib
            s = smtplib.SMTP('127.0.0.1', {relay.InboundPort})
            s.ehlo('client.example')
            s.mail('spammer@example.org')
            print(s.rcpt('victim@gmail.test'))
            s.quit()
            """);
        Assert.Contains("(550, b'5.7.1 Relaying denied: gmail.test is not hosted here", python);
        var swaks = await RunAsync("swaks", "--server", $"127.0.0.1:{relay.InboundPort}", "--from", "spammer@example.org", "--to", "victim@outlook.test",
            "--helo", "client.example");
        Assert.Contains("<** 550 5.7.1 Relaying denied: outlook.test is not hosted here", swaks);

        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM inbound_messages"));
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM messages"));
    }

    [Fact]
    public async Task Swaks_and_smtplib_deliver_to_a_hosted_domain_without_auth_in_plain_and_over_starttls()
    {
        await using var relay = await StartAsync();

        using var client = await ConnectAsync(relay.InboundPort);
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.StartTLS));
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Size));
        Assert.Equal(10u * 1024 * 1024, client.MaxSize);
        Assert.False(client.Capabilities.HasFlag(SmtpCapabilities.Authentication));

        // Debian's swaks here has no Net::SSLeay: it speaks plain SMTP, smtplib does STARTTLS.
        var swaks = await RunAsync("swaks", "--server", $"127.0.0.1:{relay.InboundPort}", "--from", "reader@yahoo.test",
            "--to", $"hello@{Hosted}", "--helo", "client.example", "--header", "Subject: swaks");
        Assert.Contains("<-  250 2.0.0 Ok: stored as", swaks);
        var python = await RunAsync("/usr/bin/python3", "-c", $$"""
            import smtplib, ssl
            s = smtplib.SMTP('127.0.0.1', {{relay.InboundPort}})
            s.starttls(context=ssl._create_unverified_context())
            print(s.sendmail('reader@yahoo.test', ['hello@{{Hosted}}'], 'Subject: smtplib\r\n\r\nhi\r\n'))
            s.quit()
            """);
        Assert.Contains("{}", python); // no recipient refused

        // The trace header records how each came: plain (ESMTP) or over TLS (ESMTPS), never authenticated.
        Assert.Contains("with ESMTP id", Encoding.ASCII.GetString(await relay.QuerySingleAsync<byte[]>("SELECT data FROM inbound_messages WHERE subject = 'swaks'")));
        Assert.Contains("with ESMTPS id", Encoding.ASCII.GetString(await relay.QuerySingleAsync<byte[]>("SELECT data FROM inbound_messages WHERE subject = 'smtplib'")));
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_552_and_not_stored()
    {
        await using var relay = await StartAsync(settings: _ => new() { ["Inbound:MaxMessageSize"] = "10000" });

        var python = await RunAsync("/usr/bin/python3", "-c", $"""
            import smtplib
            s = smtplib.SMTP('127.0.0.1', {relay.InboundPort})
            s.ehlo('client.example')
            print(s.mail('reader@yahoo.test', ['SIZE=20000']))
            s.quit()
            """);

        // SmtpServer's own answer (the enhanced code is the relay conformance work's: one reply vocabulary for both servers).
        Assert.StartsWith("(552, ", python);
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM inbound_messages"));
    }

    [Fact]
    public async Task A_client_over_its_connection_limit_is_answered_421_at_connect_and_let_in_again_when_one_closes()
    {
        await using var relay = await StartAsync(settings: _ => new() { ["Inbound:MaxConnectionsPerIp"] = "2" });
        using var first = await ConnectAsync(relay.InboundPort);
        using var second = await ConnectAsync(relay.InboundPort);

        var refused = await GreetingAsync(relay.InboundPort);
        Assert.StartsWith("421 4.7.0 ", refused);
        Assert.Contains("Too many connections", refused);

        await first.DisconnectAsync(true);
        // The slot is free once the server has seen the close. A separate probe for the 220 would race its own slot's
        // release with the next connection (CI once got 421 for the send right after a 220), so the send itself retries.
        await RelayHost.EventuallyAsync(async () =>
        {
            try
            {
                await SendAsync(relay.InboundPort, "reader@yahoo.test", $"hello@{Hosted}", RelayHost.Message($"hello@{Hosted}"));
                return true;
            }
            catch (SmtpCommandException e) when (e.StatusCode == SmtpStatusCode.ServiceNotAvailable)
            {
                return false;
            }
        });
    }

    [Fact]
    public async Task Reports_from_a_fake_isp_reach_the_inbox_through_the_mx_published_in_powerdns()
    {
        var dns = new PowerDnsFixture();
        await dns.InitializeAsync();
        try
        {
            var inboundPort = FreePort.Next();
            await using var reports = new ReportSender(new FakeIspOptions
            {
                DnsResolver = dns.DnsEndpoint.ToString(), ReportMxPort = inboundPort, ReportDelay = TimeSpan.FromMilliseconds(200),
            }, Microsoft.Extensions.Logging.Abstractions.NullLogger<ReportSender>.Instance);
            // customer.test's MX record names 127.0.0.1, where the inbound MX listens (the local stack: the service's IP).
            using var api = dns.NewApiClient();
            await new DnsPublisher(api, "localhost").PublishAsync(new FakeProviderOptions { Domain = Hosted, Address = "127.0.0.1" }, default);
            await using var relay = await StartAsync(reports: reports, settings: _ => new() { ["Inbound:Port"] = inboundPort.ToString() });

            // Gmail accepts both at RCPT; then ann's mailbox turns out not to exist and carl presses "spam".
            await relay.SubmitAsync("asyncbounce-ann@gmail.test", "complain-carl@gmail.test");

            await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>("SELECT count(*) FROM inbound_messages") == 2);
            var dsn = await relay.QuerySingleAsync<InboundRow>("SELECT * FROM inbound_messages WHERE kind = 'dsn'");
            Assert.Equal(["asyncbounce-ann@gmail.test"], dsn.OriginalRecipients);
            Assert.Equal(["sender@customer.test"], dsn.Recipients);
            var arf = await relay.QuerySingleAsync<InboundRow>("SELECT * FROM inbound_messages WHERE kind = 'arf'");
            Assert.Equal(["complain-carl@gmail.test"], arf.OriginalRecipients);
            Assert.Equal(("abuse", "fbl@gmail.test"), (arf.FeedbackType, arf.MailFrom));
            Assert.Equal([$"abuse@{Hosted}"], arf.Recipients);
            Assert.Equal(dsn.OriginalMessageId, arf.OriginalMessageId);
            Assert.Equal((1, 1), (relay.Mx.Counters().AsyncBounces, relay.Mx.Counters().Complaints));
            Assert.Equal(2, reports.Sent);
        }
        finally
        {
            await dns.DisposeAsync();
        }
    }

    private sealed record InboundRow
    {
        public Guid Id { get; init; }
        public Guid ServiceId { get; init; }
        public string Kind { get; init; } = "";
        public string Domain { get; init; } = "";
        public string? Mailbox { get; init; }
        public string MailFrom { get; init; } = "";
        public string[] Recipients { get; init; } = [];
        public string? ClientIp { get; init; }
        public string? Subject { get; init; }
        public string[] OriginalRecipients { get; init; } = [];
        public string[] Actions { get; init; } = [];
        public string[] Statuses { get; init; } = [];
        public string? FeedbackType { get; init; }
        public string? OriginalMessageId { get; init; }
        public string? ForwardedTo { get; init; }
        public Guid? ForwardMessageId { get; init; }
        public byte[] Data { get; init; } = [];
    }

    /// <summary>The relay's service hosts customer.test; <paramref name="settings"/> gets the inbound MX's port.</summary>
    private async Task<RelayHost> StartAsync(Func<int, Dictionary<string, string>>? settings = null, ReportSender? reports = null)
    {
        var relay = await RelayHost.StartAsync(postgres, inbound: true, reports: reports, inboundSettings: settings);
        await DkimSigningTests.PublishKeyAsync(relay, Hosted);
        return relay;
    }

    private static async Task AddServiceAsync(RelayHost relay, string domain, string status)
    {
        var serviceId = Guid.NewGuid();
        await using var connection = await relay.Database.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
            VALUES (@ServiceId, @ServiceId, @Username, '{127.0.1.9}', @Status, now());
            INSERT INTO sending_domains (service_id, domain, source, added_at) VALUES (@ServiceId, @Domain, 'verified', now());
            """, new { ServiceId = serviceId, Username = $"svc-{serviceId:N}", Status = status, Domain = domain });
    }

    private static async Task<SmtpClient> ConnectAsync(int port)
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        return client;
    }

    /// <summary>One message with this envelope ("" = the null reverse path of reports); returns the server's reply.</summary>
    private static async Task<string> SendAsync(int port, string mailFrom, string rcptTo, MimeMessage message)
    {
        using var client = await ConnectAsync(port);
        var sender = mailFrom.Length > 0 ? MailboxAddress.Parse(mailFrom) : new MailboxAddress("", "");
        var reply = await client.SendAsync(message, sender, [MailboxAddress.Parse(rcptTo)]);
        await client.DisconnectAsync(true);
        return reply;
    }

    private static async Task<string> GreetingAsync(int port)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", port);
        using var reader = new StreamReader(socket.GetStream(), Encoding.ASCII);
        return await reader.ReadLineAsync() ?? "";
    }

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output + await error;
    }
}
