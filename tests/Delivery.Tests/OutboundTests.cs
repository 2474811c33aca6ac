using Dapper;
using Microsoft.Extensions.DependencyInjection;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class OutboundTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private sealed record RecipientRow(string Address, string Status, int Attempts, int Deferrals, string? LastReply, string? SourceIp);

    [Fact]
    public async Task Mail_is_delivered_from_the_services_dedicated_ip()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        await client.SendAsync(RelayHost.Message("ada@gmail.test"));

        var row = await WaitUntilDoneAsync(relay, "ada@gmail.test");
        Assert.Equal("Delivered", row.Status);
        Assert.StartsWith("250", row.LastReply);
        Assert.Equal(RelayHost.SourceIp, row.SourceIp);
        var received = Assert.Single(relay.Mx.Received);
        Assert.Equal(RelayHost.SourceIp, received.ClientIp); // what the receiving ISP saw
        Assert.Equal(["ada@gmail.test"], received.To);
    }

    [Fact]
    public async Task The_relay_adds_a_received_header_naming_the_client_the_relay_and_the_queue_id()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync(localDomain: "app.customer.test");
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        var reply = await client.SendAsync(RelayHost.Message("trace@gmail.test"));
        await WaitUntilDoneAsync(relay, "trace@gmail.test");

        var queueId = reply.Split("queued as ")[1].Trim();
        var received = MimeKit.MimeMessage.Load(new MemoryStream(Assert.Single(relay.Mx.Received).Data));
        var trace = received.Headers[0];
        Assert.Equal(MimeKit.HeaderId.Received, trace.Id);
        var text = trace.Value.ReplaceLineEndings(" ");
        Assert.Matches(@"^from app\.customer\.test \(\[127\.0\.0\.1\]\)\s+by mta1\.s-relay-tests\.promta\.local \(ProMTA\) with ESMTPA id " + queueId + @"\s+for <trace@gmail\.test>;\s+\w{3}, \d", text);
    }

    [Fact]
    public async Task A_4xx_is_retried_and_a_5xx_bounces_each_recipient_on_its_own()
    {
        await using var relay = await RelayHost.StartAsync(postgres, new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", GreylistAttempts = 1 });

        await relay.SubmitAsync("grace@gmail.test", "unknown-user@gmail.test");

        var delivered = await WaitUntilDoneAsync(relay, "grace@gmail.test");
        Assert.Equal("Delivered", delivered.Status);
        Assert.Equal(2, delivered.Attempts);
        Assert.Equal(1, delivered.Deferrals);
        var bounced = await WaitUntilDoneAsync(relay, "unknown-user@gmail.test");
        Assert.Equal("Bounced", bounced.Status);
        Assert.StartsWith("550 5.1.1", bounced.LastReply);
        Assert.Equal(1, bounced.Attempts);

        await using var connection = await relay.Database.OpenAsync();
        var stats = await Data.MessageQueue.StatisticsAsync(relay.Database, relay.ServiceId, default);
        var gmail = Assert.Single(stats);
        Assert.Equal(("Gmail", 1L, 1L, 1L, 0L), (gmail.Provider, gmail.Sent, gmail.Deferred, gmail.Bounced, gmail.QueueDepth));
    }

    [Fact]
    public async Task A_user_unknown_bounce_is_classified_and_suppresses_the_address_at_rcpt()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        await client.SendAsync(RelayHost.Message("unknown-zoe@gmail.test"));
        Assert.Equal("Bounced", (await WaitUntilDoneAsync(relay, "unknown-zoe@gmail.test")).Status);
        Assert.Equal("UserUnknown", await relay.QuerySingleAsync<string>("SELECT bounce_class FROM recipients WHERE address = 'unknown-zoe@gmail.test'"));
        Assert.Equal(1, await relay.QuerySingleAsync<long>("SELECT count(*) FROM suppressions WHERE address = 'unknown-zoe@gmail.test'"));

        // Sending to it again is refused at RCPT with the reason; others still go through.
        var refused = await Assert.ThrowsAsync<MailKit.Net.Smtp.SmtpCommandException>(() => client.SendAsync(RelayHost.Message("Unknown-Zoe@gmail.test")));
        Assert.Equal(550, (int)refused.StatusCode);
        Assert.Contains("suppressed", refused.Message);
        await client.SendAsync(RelayHost.Message("ada@gmail.test"));
        Assert.Equal("Delivered", (await WaitUntilDoneAsync(relay, "ada@gmail.test")).Status);
    }

    [Fact]
    public async Task A_suspended_services_queue_is_held_until_it_resumes()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        // Claimed only while Active: suspend right after acceptance, before the worker's next poll can matter.
        await using (var connection = await relay.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE relay_accounts SET status = 'Suspended'");
            await connection.ExecuteAsync("""
                INSERT INTO messages (id, service_id, mail_from, size, data, received_at)
                VALUES (@Id, @ServiceId, 'sender@customer.test', length(@Data), @Data, now());
                INSERT INTO recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at)
                VALUES (@Id, @ServiceId, 'held@gmail.test', 'gmail.test', 'Gmail', now(), now() + interval '1 day');
                """, new { Id = Guid.NewGuid(), relay.ServiceId, Data = "From: sender@customer.test\r\nTo: held@gmail.test\r\nSubject: Held\r\n\r\nHeld while suspended.\r\n"u8.ToArray() });
        }
        await Task.Delay(1000);
        Assert.Equal(0, (await RowAsync(relay, "held@gmail.test")).Attempts);

        await using (var connection = await relay.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE relay_accounts SET status = 'Active'");
        }
        Assert.Equal("Delivered", (await WaitUntilDoneAsync(relay, "held@gmail.test")).Status);
    }

    [Fact]
    public async Task Batches_to_one_destination_reuse_a_pooled_connection_which_closes_when_idle()
    {
        await using var relay = await RelayHost.StartAsync(postgres, settings: _ => new Dictionary<string, string>
        {
            // Long enough that a loaded machine still reuses the session between the two batches.
            ["Delivery:ConnectionIdleTimeout"] = "00:00:05",
        });
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        // Two batches, one after the other: the second rides on the session the first opened.
        await client.SendAsync(RelayHost.Message("first@gmail.test"));
        Assert.Equal("Delivered", (await WaitUntilDoneAsync(relay, "first@gmail.test")).Status);
        await client.SendAsync(RelayHost.Message("second@gmail.test"));
        Assert.Equal("Delivered", (await WaitUntilDoneAsync(relay, "second@gmail.test")).Status);
        Assert.Equal(1, relay.Mx.Counters().Connections);
        Assert.Equal(1, relay.Mx.OpenSessions);

        // Idle past the timeout, the session is closed with QUIT; the next batch opens a new one.
        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.OpenSessions == 0));
        await client.SendAsync(RelayHost.Message("third@gmail.test"));
        Assert.Equal("Delivered", (await WaitUntilDoneAsync(relay, "third@gmail.test")).Status);
        Assert.Equal(2, relay.Mx.Counters().Connections);
    }

    [Fact]
    public async Task A_backlog_for_one_destination_is_spread_over_parallel_connections_within_the_cap()
    {
        // The MX takes a second per message, so one session does 1 a second while the lane may send 5: the pace needs
        // more sessions. (Against a fast MX one session keeps up, and the batches rightly share it: parked between
        // permits, a session is rented by the next batch, so how many opened depended on the machine's speed.)
        var slowMx = new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", DataReplyDelay = TimeSpan.FromSeconds(1) };
        await using var relay = await RelayHost.StartAsync(postgres, slowMx, settings: _ => new Dictionary<string, string>
        {
            ["Delivery:MaxConnectionsPerDestination"] = "3",
            ["Delivery:Workers"] = "1",
            ["Delivery:PollInterval"] = "00:00:02",
        });
        // The backlog is committed at once (as after a suspension), so one claim takes it all.
        await QueueBacklogAsync(relay, "gmail.test", "Gmail", 30);
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Delivered'") == 30);
        var connections = relay.Mx.Counters().Connections;
        Assert.InRange(connections, 2, 3);
    }

    [Fact]
    public async Task A_slow_destination_holds_up_no_other_destinations_mail()
    {
        // The slow MX takes 5 s per message and gets one session at a time; the process may hold two bulk sessions
        // (three, one kept for transactional mail). Its backlog is claimed as two batches: one sending, one waiting
        // for the destination's only session.
        var slowMx = new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", DataReplyDelay = TimeSpan.FromSeconds(5) };
        var fastPort = FreePort.Next();
        await using var fast = new FakeMx(new FakeProviderOptions { Name = "Other", Domain = "fast.test", Address = "127.0.0.2" }, fastPort);
        fast.Start();
        await using var relay = await RelayHost.StartAsync(postgres, slowMx, settings: _ => new Dictionary<string, string>
        {
            ["Delivery:MaxConnections"] = "3",
            ["Delivery:MaxConnectionsPerDestination"] = "1",
            ["Delivery:Routes:fast.test"] = $"127.0.0.2:{fastPort}",
        });
        await QueueBacklogAsync(relay, "gmail.test", "Gmail", 10);
        await RelayHost.EventuallyAsync(async () => relay.Mx.OpenSessions > 0
            && await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE claimed_until > now() + interval '1 minute'") == 10);

        // Mail for another destination, queued while the second slow batch waits: it must not wait behind it (the
        // waiting batch used to hold a process slot, so this went only once the first slow batch had finished, 25 s).
        await QueueBacklogAsync(relay, "fast.test", "Other", 1);
        await RelayHost.EventuallyAsync(() => Task.FromResult(fast.Counters().Accepted == 1));
        Assert.True(relay.Mx.Counters().Accepted < 5, $"the slow MX had accepted {relay.Mx.Counters().Accepted} of its first batch's 5 first");
    }

    [Fact]
    public async Task A_backlog_behind_a_slow_mx_that_outlasts_its_claim_is_delivered_exactly_once()
    {
        // One session at a time, a second per message: the 8 messages claimed at once take 8 s, longer than their 5 s
        // claim, and the lane has room to claim them again once it ended. A batch starts no message in its claim's last
        // 3 s and hands the rest back (due now, no attempt), so no message is out while another claim may send it.
        // (Without that, the lapsed claims were claimed again and sent after the first batch: 16 messages, 2 attempts each.)
        var slowMx = new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", DataReplyDelay = TimeSpan.FromSeconds(1) };
        await using var relay = await RelayHost.StartAsync(postgres, slowMx, settings: _ => new Dictionary<string, string>
        {
            ["Delivery:MaxConnectionsPerDestination"] = "1",
            ["Delivery:Lease"] = "00:00:05",
            ["Delivery:LeaseMargin"] = "00:00:03",
        });
        var paths = relay.Services.GetRequiredService<ProMTA.Delivery.Outbound.Egress.EgressPaths>();

        await QueueBacklogAsync(relay, "gmail.test", "Gmail", 8);

        // Delivered, and nothing claimed still out (a batch holding a copy would send it after).
        await RelayHost.EventuallyAsync(async () =>
            await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Delivered'") == 8 && paths.Pending == 0,
            TimeSpan.FromSeconds(60));
        Assert.Equal(8, relay.Mx.Received.Count);
        Assert.Equal(8, await relay.QuerySingleAsync<long>("SELECT sum(attempts) FROM recipients"));
    }

    /// <summary>A backlog committed at once, each recipient its own message, due now.</summary>
    private static async Task QueueBacklogAsync(RelayHost relay, string domain, string provider, int count)
    {
        await using var connection = await relay.Database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        for (var i = 0; i < count; i++)
        {
            await connection.ExecuteAsync("""
                INSERT INTO messages (id, service_id, mail_from, size, data, received_at)
                VALUES (@Id, @ServiceId, 'sender@customer.test', length(@Data), @Data, now());
                INSERT INTO recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at)
                VALUES (@Id, @ServiceId, @Address, @Domain, @Provider, now(), now() + interval '1 day');
                """, new { Id = Guid.NewGuid(), relay.ServiceId, Address = $"reader{i}@{domain}", Domain = domain, Provider = provider,
                    Data = "From: sender@customer.test\r\nSubject: Backlog\r\n\r\nQueued.\r\n"u8.ToArray() }, transaction);
        }
        await transaction.CommitAsync();
    }

    private static async Task<RecipientRow> RowAsync(RelayHost relay, string address)
    {
        await using var connection = await relay.Database.OpenAsync();
        return await connection.QuerySingleAsync<RecipientRow>(
            "SELECT address, status, attempts, deferrals, last_reply, source_ip FROM recipients WHERE address = @address", new { address });
    }

    private static async Task<RecipientRow> WaitUntilDoneAsync(RelayHost relay, string address)
    {
        RecipientRow? row = null;
        await RelayHost.EventuallyAsync(async () => (row = await RowAsync(relay, address)).Status != "Queued");
        return row!;
    }
}
