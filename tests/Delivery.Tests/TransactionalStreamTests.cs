using Dapper;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.FakeIsp;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Transactional mail is not stuck behind bulk (issue 19 step 5): it is claimed first within its own budget, and a
/// transactional message submitted while a bulk backlog drains to the same MX goes out next, through the bulk batch's
/// own session and destination slot.
/// </summary>
public sealed class TransactionalStreamTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_claim_takes_a_providers_due_transactional_recipients_first_each_stream_within_its_own_budget()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        await service.Migrated;
        var serviceId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await using (var connection = await service.Database.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
                VALUES (@ServiceId, @ServiceId, 'svc-claim-order', ARRAY['127.0.1.7'], 'Active', now())
                """, new { ServiceId = serviceId });
        }
        // Bulk queued a minute ago, transactional just now: by due time alone the bulk would go first.
        var bulk = Enumerable.Range(0, 5).Select(i => Message(serviceId, $"bulk{i}@gmail.test", now - TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(i), MailStream.Bulk)).ToList();
        var transactional = Enumerable.Range(0, 2).Select(i => Message(serviceId, $"tx{i}@gmail.test", now + TimeSpan.FromSeconds(i), MailStream.Transactional)).ToList();
        await MessageQueue.EnqueueAsync(service.Database, [.. bulk, .. transactional], CancellationToken.None);

        var claimed = await MessageQueue.ClaimPerProviderAsync(service.Database, now + TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10),
            new Dictionary<(string, string), int> { [("Gmail", MailStream.Transactional)] = 1, [("Gmail", MailStream.Bulk)] = 2 }, 0, CancellationToken.None);

        Assert.Equal(["bulk0@gmail.test", "bulk1@gmail.test", "tx0@gmail.test"], claimed.Select(r => r.Address).Order());
        Assert.Equal([MailStream.Transactional], claimed.Where(r => r.Address.StartsWith("tx")).Select(r => r.Stream));

        // Benchmarks' unpaced claim: transactional first too, then bulk in due order.
        var next = await MessageQueue.ClaimAsync(service.Database, now + TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10), 5, 1, CancellationToken.None);
        Assert.Equal(["bulk2@gmail.test", "tx1@gmail.test"], next.Select(r => r.Address).Order());
    }

    [Fact]
    public async Task A_message_marked_transactional_by_its_header_overtakes_a_bulk_backlog_to_the_same_mx()
    {
        // One session to the MX, which takes half a second per message: the backlog needs about fifteen seconds, and
        // few bulk messages finish while the transactional one is being claimed, however loaded the machine.
        var slowMx = new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test", DataReplyDelay = TimeSpan.FromMilliseconds(500) };
        await using var relay = await RelayHost.StartAsync(postgres, slowMx, settings: _ => new Dictionary<string, string>
        {
            ["Delivery:MaxConnectionsPerDestination"] = "1",
        });
        const int backlog = 30;
        await using (var connection = await relay.Database.OpenAsync())
        {
            // The backlog is committed at once, as bulk campaigns arrive.
            await using var transaction = await connection.BeginTransactionAsync();
            for (var i = 0; i < backlog; i++)
            {
                await connection.ExecuteAsync("""
                    INSERT INTO messages (id, service_id, mail_from, size, data, received_at)
                    VALUES (@Id, @ServiceId, 'sender@customer.test', length(@Data), @Data, now());
                    INSERT INTO recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at)
                    VALUES (@Id, @ServiceId, @Address, 'gmail.test', 'Gmail', now(), now() + interval '1 day');
                    """, new { Id = Guid.NewGuid(), relay.ServiceId, Address = $"reader{i}@gmail.test",
                        Data = "From: sender@customer.test\r\nSubject: Campaign\r\n\r\nBulk.\r\n"u8.ToArray() }, transaction);
            }
            await transaction.CommitAsync();
        }
        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.Received.Count >= 2));

        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        var reset = RelayHost.Message("reset@gmail.test", "Your password reset link");
        reset.Headers.Add(MailStream.Header, "Transactional");
        await client.SendAsync(reset);
        var deliveredBefore = relay.Mx.Received.Count;

        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.Received.Any(m => m.To.Contains("reset@gmail.test"))));
        var received = relay.Mx.Received.ToList();
        var position = received.FindIndex(m => m.To.Contains("reset@gmail.test"));
        // Next after the bulk message on the wire when it arrived (and one more that may have been under way), far
        // ahead of the rest of the backlog, which it would otherwise have waited behind.
        Assert.InRange(position, deliveredBefore, deliveredBefore + 2);
        Assert.True(position < backlog - 5, $"delivered at position {position} of {backlog + 1}");
        Assert.Equal(MailStream.Transactional, await relay.QuerySingleAsync<string>("SELECT stream FROM recipients WHERE address = 'reset@gmail.test'"));
        // The header only told us the stream: it does not leave.
        var sent = MimeMessage.Load(new MemoryStream(received[position].Data));
        Assert.Null(sent.Headers[MailStream.Header]);
        Assert.Equal($"transactional:{relay.ServiceId:N}:promta", sent.Headers["Feedback-ID"]);

        // Any other value is ignored (bulk), and the backlog still drains in full.
        var other = RelayHost.Message("newsletter@gmail.test", "News");
        other.Headers.Add(MailStream.Header, "urgent");
        await client.SendAsync(other);
        Assert.Equal(MailStream.Bulk, await relay.QuerySingleAsync<string>("SELECT stream FROM recipients WHERE address = 'newsletter@gmail.test'"));
        await RelayHost.EventuallyAsync(async () => await relay.QuerySingleAsync<long>("SELECT count(*) FROM recipients WHERE status = 'Delivered'") == backlog + 2,
            TimeSpan.FromSeconds(60));
    }

    private static NewMessage Message(Guid serviceId, string to, DateTimeOffset receivedAt, string stream) => new(
        Guid.NewGuid(), serviceId, "sender@customer.test", "From: sender@customer.test\r\nSubject: Hi\r\n\r\nHello.\r\n"u8.ToArray(), "127.0.0.1",
        [new NewRecipient(to, "gmail.test", "Gmail")], receivedAt, receivedAt + TimeSpan.FromDays(3), Stream: stream);
}
