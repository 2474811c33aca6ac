using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Feedback;
using ProMTA.Delivery.Reputation;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using ProMTA.MailPolicy;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Signals in (issue 16): mail leaves with a signed per-recipient return path and token header; a complaint (ARF) and a
/// late bounce (DSN) arriving at our inbound MX over real sockets are matched to the recipient, suppress it, record the
/// event and reach the throttling controller. Forged tokens change nothing.
/// </summary>
public sealed class FeedbackLoopTests(PostgresFixture postgres, PowerDnsFixture dns) : IClassFixture<PostgresFixture>, IClassFixture<PowerDnsFixture>
{
    private const string Hosted = RelayHost.OwnDomain;
    private const string SigningKey = "verp-signing-key-for-delivery-tests-0123456789";

    [Fact]
    public async Task Mail_leaves_with_a_signed_per_recipient_return_path_on_the_service_domain_and_its_token_and_feedback_id_headers()
    {
        await using var relay = await StartAsync();

        await relay.SubmitAsync("ann@gmail.test", "bea@gmail.test");

        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.Received.Count == 2));
        var verp = relay.Services.GetRequiredService<VerpAddresses>();
        foreach (var address in new[] { "ann@gmail.test", "bea@gmail.test" })
        {
            // One transaction per recipient: each names its own return path.
            var sent = Assert.Single(relay.Mx.Received, m => m.To.SequenceEqual([address]));
            var id = await RecipientIdAsync(relay, address);
            Assert.Equal($"b+{id}-", sent.From[..$"b+{id}-".Length]);
            Assert.EndsWith($"@{Hosted}", sent.From);
            Assert.True(verp.TryReadAddress(sent.From, out var read) && read == id);
            var message = await MimeMessage.LoadAsync(new MemoryStream(sent.Data));
            Assert.Equal(verp.Token(id), message.Headers[VerpAddresses.Header]);
            Assert.Equal($"mail:{relay.ServiceId:N}:promta", message.Headers["Feedback-ID"]);
        }
        // The customer's own MAIL FROM is what their reports go to.
        Assert.Equal(["sender@customer.test"], await relay.QueryAsync<string>("SELECT DISTINCT mail_from FROM messages"));
    }

    [Fact]
    public async Task A_late_bounce_to_the_return_path_bounces_the_delivered_recipient_suppresses_it_records_the_event_tells_the_sender_and_the_controller()
    {
        await using var relay = await StartAsync();
        var (sent, id) = await DeliverAsync(relay, "ann@gmail.test");
        var report = IspReports.Bounce("gmail.test", sent.From, "ann@gmail.test", await OriginalAsync(sent), DateTimeOffset.UtcNow);

        var reply = await SendAsync(relay.InboundPort, "", sent.From, report);

        Assert.StartsWith("2.0.0 Ok: stored as", reply);
        var recipient = await relay.QuerySingleAsync<(string Status, string BounceClass, string LastReply)>(
            "SELECT status, bounce_class, last_reply FROM recipients WHERE id = @Id", new { Id = id });
        Assert.Equal(("Bounced", "UserUnknown"), (recipient.Status, recipient.BounceClass));
        Assert.StartsWith("550 5.1.1 <ann@gmail.test>: the mailbox does not exist", recipient.LastReply);
        Assert.Equal(("HardBounce", recipient.LastReply), await SuppressionAsync(relay, "ann@gmail.test"));
        Assert.Equal(["accepted", "delivered", "bounced", "suppressed"], await EventsAsync(relay, id));
        // A second copy of the same report changes nothing more.
        await SendAsync(relay.InboundPort, "", sent.From, report);
        Assert.Equal(["accepted", "delivered", "bounced", "suppressed"], await EventsAsync(relay, id));
        // The ISP's report came to us, so the sender hears it from us: our own DSN to their MAIL FROM.
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>(
            "SELECT count(*) FROM messages m JOIN recipients r ON r.message_id = m.id WHERE m.mail_from = '' AND r.address = 'sender@customer.test'") == 1);
        var tenant = Tenant(relay, "gmail");
        Assert.True(tenant.BounceRate > 0, $"bounce rate {tenant.BounceRate}");
    }

    [Fact]
    public async Task A_complaint_suppresses_the_recipient_with_reason_complaint_records_the_event_once_and_reaches_the_controller()
    {
        await using var relay = await StartAsync();
        var (sent, id) = await DeliverAsync(relay, "carl@gmail.test");
        var report = IspReports.Complaint("gmail.test", sent.From, "carl@gmail.test", RelayHost.SourceIp, await OriginalAsync(sent), DateTimeOffset.UtcNow);

        await SendAsync(relay.InboundPort, "fbl@gmail.test", $"abuse@{Hosted}", report);
        await SendAsync(relay.InboundPort, "fbl@gmail.test", $"abuse@{Hosted}", report);

        Assert.Equal(("Complaint", "ARF abuse report"), await SuppressionAsync(relay, "carl@gmail.test"));
        Assert.Equal(["accepted", "delivered", "complained", "suppressed"], await EventsAsync(relay, id));
        Assert.Equal("Delivered", await relay.QuerySingleAsync<string>("SELECT status FROM recipients WHERE id = @Id", new { Id = id }));
        Assert.True(Tenant(relay, "gmail").ComplaintRate > 0);
        // The relay refuses the complainer from now on.
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => relay.SubmitAsync("carl@gmail.test"));
        Assert.Contains("suppressed", refused.Message);
    }

    [Fact]
    public async Task The_reputation_panel_counts_each_source_ip_s_deliveries_deferrals_and_complaints_and_each_sending_domain_s_complaints()
    {
        await using var relay = await StartAsync();
        var (sent, _) = await DeliverAsync(relay, "dora@gmail.test");
        await DeliverAsync(relay, "emil@gmail.test");
        var report = IspReports.Complaint("gmail.test", sent.From, "dora@gmail.test", RelayHost.SourceIp, await OriginalAsync(sent), DateTimeOffset.UtcNow);
        await SendAsync(relay.InboundPort, "fbl@gmail.test", $"abuse@{Hosted}", report);
        await SendAsync(relay.InboundPort, "fbl@gmail.test", $"abuse@{Hosted}", report);

        var since = DateTimeOffset.UtcNow.AddDays(-1);
        var ip = Assert.Single(ReputationPanel.Addresses([RelayHost.SourceIp, "192.0.2.99"],
            await ReputationTrends.IpDaysAsync(relay.Database, relay.ServiceId, since, default), []), a => a.Ip == RelayHost.SourceIp);
        // The complaint is counted against the IP the mail left from, once however many copies of the report arrive.
        Assert.Equal((2L, 0L, 0L, 1L, 1.0, 0.5), (ip.Totals.Delivered, ip.Totals.Deferred, ip.Totals.Bounced, ip.Totals.Complained,
            ip.Totals.AcceptanceRate, ip.Totals.ComplaintRate));
        var domain = Assert.Single(ReputationPanel.Domains([Hosted],
            await ReputationTrends.DomainComplaintsAsync(relay.Database, relay.ServiceId, since, default), []), d => d.Domain == "customer.test");
        Assert.Equal(1L, domain.Complained);
        Assert.Empty(await ReputationTrends.IpDaysAsync(relay.Database, Guid.NewGuid(), since, default));
    }

    [Fact]
    public async Task Complaints_above_the_suspension_rate_pause_the_tenant_at_that_provider()
    {
        // Development only so the worker may skip pacing: 200 messages (the reputation's minimum sample) go out at once.
        await using var relay = await StartAsync(environment: "Development", settings: new() { ["Delivery:BypassThrottling"] = "true" });
        using (var client = await relay.ConnectAsync())
        {
            await client.AuthenticateAsync(relay.Username, RelayHost.Password);
            for (var i = 0; i < 200; i++) await client.SendAsync(RelayHost.Message($"reader{i}@gmail.test"));
            await client.DisconnectAsync(true);
        }
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Delivered'") == 200,
            TimeSpan.FromSeconds(120));
        var controller = relay.Services.GetRequiredService<ThrottleController>();
        var tenant = relay.ServiceId.ToString();
        Assert.Equal(ProMTA.MailPolicy.Reputation.ReputationVerdict.Clean, Tenant(relay, "gmail").Verdict);

        // Two readers in 200 press "spam": 1 %, above the 0.3 % at which mailbox providers start blocking. The first
        // alone is not enough (Delivery:Throttling:Reputation:MinimumComplaints, 2: one report from a small list is chance).
        foreach (var reader in new[] { "reader7@gmail.test", "reader8@gmail.test" })
        {
            Assert.NotEqual(ProMTA.MailPolicy.Reputation.ReputationVerdict.Suspended, Tenant(relay, "gmail").Verdict);
            var sent = Assert.Single(relay.Mx.Received, m => m.To.Contains(reader));
            await SendAsync(relay.InboundPort, "fbl@gmail.test", $"abuse@{Hosted}",
                IspReports.Complaint("gmail.test", sent.From, reader, RelayHost.SourceIp, await OriginalAsync(sent), DateTimeOffset.UtcNow));
        }

        Assert.Equal(ProMTA.MailPolicy.Reputation.ReputationVerdict.Suspended, Tenant(relay, "gmail").Verdict);
        var decision = controller.TryAcquire(RelayHost.SourceIp, "gmail", tenant, DateTimeOffset.UtcNow);
        Assert.Equal((false, ProMTA.MailPolicy.ThrottleReason.TenantSuspended), (decision.Allowed, decision.Reason));
        // Only at that provider: the same tenant's mail elsewhere keeps going.
        Assert.True(controller.TryAcquire(RelayHost.SourceIp, "yahoo", tenant, DateTimeOffset.UtcNow).Allowed);
    }

    [Fact]
    public async Task A_complaint_that_returns_only_the_original_headers_without_our_token_or_return_path_is_matched_by_its_message_id_in_that_service_only()
    {
        await using var relay = await StartAsync();
        var (sent, id) = await DeliverAsync(relay, "erin@gmail.test");
        var original = await OriginalAsync(sent);
        Assert.Equal(original.MessageId, await relay.QuerySingleAsync<string>(
            "SELECT m.header_message_id FROM messages m JOIN recipients r ON r.message_id = m.id WHERE r.id = @Id", new { Id = id }));
        // Another service sent a message with the same Message-ID to the same address: the report must not touch it.
        var stranger = Guid.NewGuid();
        await using (var connection = await relay.Database.OpenAsync(default))
        {
            await connection.ExecuteAsync("""
            INSERT INTO messages (id, service_id, mail_from, size, data, received_at, header_message_id) VALUES (@Message, @Stranger, 'x@other.test', 1, '\x00', now(), @HeaderId);
            INSERT INTO recipients (message_id, service_id, address, domain, provider, status, next_attempt_at, expires_at)
            VALUES (@Message, @Stranger, 'erin@gmail.test', 'gmail.test', 'Gmail', 'Delivered', now(), now() + interval '1 day');
            """, new { Message = Guid.NewGuid(), Stranger = stranger, HeaderId = original.MessageId });
        }

        var report = await RedactedComplaintAsync(original);
        Assert.StartsWith("2.0.0 Ok: stored as", await SendAsync(relay.InboundPort, "fbl@gmail.test", $"abuse@{Hosted}", report));

        Assert.Equal(("Complaint", "ARF abuse report"), await SuppressionAsync(relay, "erin@gmail.test"));
        Assert.Equal(["accepted", "delivered", "complained", "suppressed"], await EventsAsync(relay, id));
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM suppressions WHERE service_id = @Stranger", new { Stranger = stranger }));
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM delivery_events WHERE service_id = @Stranger", new { Stranger = stranger }));
        Assert.True(Tenant(relay, "gmail").ComplaintRate > 0);

        // A message to two addresses: each of them knows its Message-ID, so a redacted report cannot say who complained.
        await relay.SubmitAsync("fay@gmail.test", "gus@gmail.test");
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>(
            "SELECT count(*) FROM recipients WHERE address IN ('fay@gmail.test', 'gus@gmail.test') AND status = 'Delivered'") == 2);
        var shared = await OriginalAsync(relay.Mx.Received.First(m => m.To.Contains("fay@gmail.test")));
        Assert.StartsWith("2.0.0 Ok: stored as", await SendAsync(relay.InboundPort, "fbl@gmail.test", $"abuse@{Hosted}", await RedactedComplaintAsync(shared)));
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM suppressions WHERE address IN ('fay@gmail.test', 'gus@gmail.test')"));
    }

    /// <summary>
    /// What an ISP that redacts returns: no Original-Rcpt-To, and text/rfc822-headers with the original's headers, our
    /// token, Return-Path and To removed; the Message-ID is kept.
    /// </summary>
    private static async Task<MimeMessage> RedactedComplaintAsync(MimeMessage original)
    {
        original.Headers.RemoveAll(VerpAddresses.Header);
        original.Headers.RemoveAll(HeaderId.ReturnPath);
        original.Headers.RemoveAll(HeaderId.To);
        using var headers = new MemoryStream();
        original.Headers.WriteTo(headers);
        headers.Write("\r\n"u8);
        headers.Position = 0;
        var report = new MimeMessage();
        report.From.Add(MailboxAddress.Parse("fbl@gmail.test"));
        report.To.Add(MailboxAddress.Parse($"abuse@{Hosted}"));
        report.Subject = "Email Feedback Report";
        report.Body = new MultipartReport("feedback-report")
        {
            new TextPart("plain") { Text = "This is an email abuse report.\n" },
            new MessageFeedbackReport { Content = new MimeContent(new MemoryStream("Feedback-Type: abuse\r\nUser-Agent: redacting-isp/1.0\r\nVersion: 1\r\n"u8.ToArray())) },
            new TextRfc822Headers { Message = await MimeMessage.LoadAsync(headers) },
        };
        return report;
    }

    [Fact]
    public async Task Forged_tokens_in_a_bounce_address_or_a_complaint_header_are_stored_as_reports_and_change_nothing()
    {
        await using var relay = await StartAsync();
        var (sent, id) = await DeliverAsync(relay, "dan@gmail.test");
        var original = await OriginalAsync(sent);
        var forgedAddress = $"b+{id}-0123456789abcdef@{Hosted}";
        var otherKey = new VerpAddresses(Microsoft.Extensions.Options.Options.Create(new VerpOptions { SigningKey = "an-attacker-s-own-key-0123456789abcdef" }));
        original.Headers[VerpAddresses.Header] = otherKey.Token(id);

        var bounce = await SendAsync(relay.InboundPort, "", forgedAddress, IspReports.Bounce("gmail.test", forgedAddress, "dan@gmail.test", original, DateTimeOffset.UtcNow));
        var complaint = await SendAsync(relay.InboundPort, "fbl@gmail.test", $"abuse@{Hosted}",
            IspReports.Complaint("gmail.test", forgedAddress, "dan@gmail.test", RelayHost.SourceIp, original, DateTimeOffset.UtcNow));

        Assert.StartsWith("2.0.0 Ok: stored as", bounce);
        Assert.StartsWith("2.0.0 Ok: stored as", complaint);
        Assert.Equal(["arf", "dsn"], await relay.QueryAsync<string>("SELECT kind FROM inbound_messages ORDER BY kind"));
        Assert.Equal("Delivered", await relay.QuerySingleAsync<string>("SELECT status FROM recipients WHERE id = @Id", new { Id = id }));
        Assert.Equal(0, await relay.QuerySingleAsync<long>("SELECT count(*) FROM suppressions"));
        Assert.Equal(["accepted", "delivered"], await EventsAsync(relay, id));
    }

    [Fact]
    public async Task A_fake_isp_s_late_bounce_and_complaint_come_back_through_the_mx_in_powerdns_and_both_recipients_end_suppressed()
    {
        var inboundPort = FreePort.Next();
        await using var reports = new ReportSender(new FakeIspOptions
        {
            DnsResolver = dns.DnsEndpoint.ToString(), ReportMxPort = inboundPort, ReportDelay = TimeSpan.FromMilliseconds(200),
        }, Microsoft.Extensions.Logging.Abstractions.NullLogger<ReportSender>.Instance);
        // customer.test's MX names 127.0.0.1, where the inbound MX listens (the local stack: the service's IP).
        using (var api = dns.NewApiClient())
        {
            await new DnsPublisher(api, "localhost").PublishAsync(new FakeProviderOptions { Domain = Hosted, Address = "127.0.0.1" }, default);
        }
        await using var relay = await StartAsync(reports, new() { ["Inbound:Port"] = inboundPort.ToString() });

        await relay.SubmitAsync("asyncbounce-ann@gmail.test", "complain-carl@gmail.test");

        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>("SELECT count(*) FROM suppressions") == 2);
        Assert.Equal([("asyncbounce-ann@gmail.test", "HardBounce"), ("complain-carl@gmail.test", "Complaint")],
            await relay.QueryAsync<(string, string)>("SELECT address, reason FROM suppressions ORDER BY address"));
        Assert.Equal([("asyncbounce-ann@gmail.test", "Bounced"), ("complain-carl@gmail.test", "Delivered")],
            await relay.QueryAsync<(string, string)>("SELECT address, status FROM recipients WHERE message_id IN (SELECT id FROM messages WHERE mail_from <> '') ORDER BY address"));
        var tenant = Tenant(relay, "gmail");
        Assert.True(tenant.BounceRate > 0 && tenant.ComplaintRate > 0);
    }

    private async Task<RelayHost> StartAsync(ReportSender? reports = null, Dictionary<string, string>? settings = null, string environment = "Production")
    {
        var relay = await RelayHost.StartAsync(postgres, inbound: true, reports: reports, environment: environment, inboundSettings: _ => new(settings ?? [])
        {
            ["Verp:SigningKey"] = SigningKey,
            ["Dsn:Interval"] = "00:00:00.200",
        });
        await DkimSigningTests.PublishKeyAsync(relay, Hosted);
        return relay;
    }

    private static async Task<(ReceivedMessage Sent, long Id)> DeliverAsync(RelayHost relay, string address)
    {
        await relay.SubmitAsync(address);
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<string>(
            "SELECT status FROM recipients WHERE address = @Address", new { Address = address }) == "Delivered");
        return (Assert.Single(relay.Mx.Received, m => m.To.Contains(address)), await RecipientIdAsync(relay, address));
    }

    private static Task<long> RecipientIdAsync(RelayHost relay, string address) =>
        relay.QuerySingleAsync<long>("SELECT id FROM recipients WHERE address = @Address", new { Address = address });

    private static Task<MimeMessage> OriginalAsync(ReceivedMessage sent) => MimeMessage.LoadAsync(new MemoryStream(sent.Data));

    private static Task<(string Reason, string Detail)> SuppressionAsync(RelayHost relay, string address) =>
        relay.QuerySingleAsync<(string, string)>("SELECT reason, detail FROM suppressions WHERE address = @Address", new { Address = address });

    private static Task<IReadOnlyList<string>> EventsAsync(RelayHost relay, long id) =>
        relay.QueryAsync<string>("SELECT event FROM delivery_events WHERE recipient_id = @Id ORDER BY id", new { Id = id });

    private static ProMTA.MailPolicy.TenantSnapshot Tenant(RelayHost relay, string provider) =>
        relay.Services.GetRequiredService<ThrottleController>().Snapshot().Tenants
            .Single(t => t.Tenant == relay.ServiceId.ToString() && t.Provider == provider);

    /// <summary>One message with this envelope ("" = the null reverse path of reports); returns the server's reply.</summary>
    private static async Task<string> SendAsync(int port, string mailFrom, string rcptTo, MimeMessage message)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        var sender = mailFrom.Length > 0 ? MailboxAddress.Parse(mailFrom) : new MailboxAddress("", "");
        var reply = await client.SendAsync(message, sender, [MailboxAddress.Parse(rcptTo)]);
        await client.DisconnectAsync(true);
        return reply;
    }
}
