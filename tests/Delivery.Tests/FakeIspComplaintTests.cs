using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using ProMTA.FakeIsp;
using ProMTA.FakeIsp.Limits;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The fake ISP's side of the complaint proof (issue 16): complaint shares per sender, the block of a sending IP whose
/// complaint share crosses the ISP's line, and the ARF reports going back to the sender domain's MX found in DNS.
/// </summary>
public sealed class FakeIspComplaintTests(PowerDnsFixture dns) : IClassFixture<PowerDnsFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_ip_is_blocked_once_its_complaints_reach_the_rate_over_the_minimum_sample_and_not_before()
    {
        var block = new ComplaintBlock(new ComplaintBlockOptions { Rate = 0.003, MinimumMessages = 1000, Duration = TimeSpan.FromHours(4) });

        // 3 complaints among the first 999 messages (0.3 %): too few messages to judge.
        for (var i = 0; i < 999; i++) Assert.False(block.Delivered(complained: i % 333 == 0, T0.AddSeconds(i)));
        Assert.False(block.IsBlocked(T0.AddSeconds(999)));

        Assert.True(block.Delivered(complained: false, T0.AddSeconds(999)));
        Assert.True(block.IsBlocked(T0.AddHours(3)));
        Assert.False(block.IsBlocked(T0.AddSeconds(999) + TimeSpan.FromHours(4)));
    }

    [Fact]
    public void Complaints_older_than_the_window_no_longer_count()
    {
        var block = new ComplaintBlock(new ComplaintBlockOptions { Rate = 0.003, MinimumMessages = 1000, Window = TimeSpan.FromHours(1) });
        for (var i = 0; i < 3; i++) block.Delivered(complained: true, T0);

        // An hour later the three complaints are gone: 1,000 clean messages are 0 %.
        for (var i = 0; i < 1000; i++) Assert.False(block.Delivered(complained: false, T0.AddHours(1).AddSeconds(i)));
        Assert.Equal((1000, 0), block.Window);
    }

    [Fact]
    public async Task A_dirty_sender_s_readers_complain_its_ip_is_refused_once_over_the_line_while_a_clean_sender_at_the_same_isp_is_not_and_the_reports_reach_its_mx()
    {
        // The dirty domain's MX, found by the ISP in PowerDNS, as our inbound MX would be.
        var senderPort = FreePort.Next();
        await using var senderMx = new FakeMx(new FakeProviderOptions { Name = "Dirty", Domain = "dirty.test", Address = "127.0.0.1" }, senderPort);
        senderMx.Start();
        using (var api = dns.NewApiClient())
        {
            await new DnsPublisher(api, "localhost").PublishAsync(new FakeProviderOptions { Domain = "dirty.test", Address = "127.0.0.1" }, default);
        }
        await using var reports = new ReportSender(new FakeIspOptions
        {
            DnsResolver = dns.DnsEndpoint.ToString(), ReportMxPort = senderPort, ReportDelay = TimeSpan.FromMilliseconds(100),
        }, NullLogger<ReportSender>.Instance);
        var ispPort = FreePort.Next();
        var gmail = new FakeProviderOptions
        {
            Name = "Gmail", Domain = "gmail.test", Address = "127.0.0.1",
            ComplaintBlock = new ComplaintBlockOptions { Rate = 0.5, MinimumMessages = 4 },
        };
        // Every reader of the dirty list complains; the provider's own share (none) applies to everyone else.
        await using var isp = new FakeMx(gmail, ispPort, reports, [new SenderProfile { Domain = "dirty.test", ComplaintRate = 1.0 }]);
        isp.Start();

        for (var i = 1; i <= 4; i++) Assert.StartsWith("2.0.0 OK", await SendAsync(ispPort, "127.0.0.1", "b+1-ab@dirty.test", $"reader{i}@gmail.test"));
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(ispPort, "127.0.0.1", "b+1-ab@dirty.test", "reader5@gmail.test"));
        var clean = await SendAsync(ispPort, "127.0.0.9", "news@clean.test", "reader6@gmail.test");

        Assert.Equal(421, (int)refused.StatusCode);
        Assert.Contains("[127.0.0.1]", refused.Message);
        Assert.Contains("temporarily blocked", refused.Message);
        Assert.StartsWith("2.0.0 OK", clean);
        var block = Assert.Single(isp.ComplaintBlocks());
        Assert.Equal(("127.0.0.1", 4L, 4L), (block.SourceIp, block.Messages, block.Complaints));
        Assert.Equal(
            [new SenderCounters("clean.test", "127.0.0.9", 1, 0, 0, 0, null), new SenderCounters("dirty.test", "127.0.0.1", 4, 4, 0, 1, null)],
            isp.Senders().Select(s => s with { FirstComplaintAt = null }));
        await RelayHost.EventuallyAsync(() => Task.FromResult(senderMx.Received.Count == 4));
        foreach (var received in senderMx.Received)
        {
            Assert.Equal(["abuse@dirty.test"], received.To);
            var report = await MimeMessage.LoadAsync(new MemoryStream(received.Data));
            Assert.Equal("feedback-report", Assert.IsType<MultipartReport>(report.Body).ReportType);
        }
    }

    /// <summary>One message from <paramref name="sourceIp"/>; returns the server's reply to DATA.</summary>
    private static async Task<string> SendAsync(int port, string sourceIp, string from, string to)
    {
        using var client = new SmtpClient { LocalEndPoint = new IPEndPoint(IPAddress.Parse(sourceIp), 0) };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        var message = new MimeMessage { Subject = "News" };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = "Hello." };
        try
        {
            return await client.SendAsync(message, MailboxAddress.Parse(from), [MailboxAddress.Parse(to)]);
        }
        finally
        {
            if (client.IsConnected) await client.DisconnectAsync(true);
        }
    }
}
