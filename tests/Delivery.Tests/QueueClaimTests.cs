using Dapper;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The queue's claim and completion against PostgreSQL (no worker runs): a result is written only under the claim it was
/// sent under, so a batch that outlived its lease cannot undo or free what another replica's claim took; and a claim
/// writes no index entry (a HOT update), so a delivered recipient costs the queue's indexes one update, not two.
/// </summary>
public sealed class QueueClaimTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset T0 = new(2030, 3, 4, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_late_deferral_from_a_claim_that_ended_does_not_undo_the_delivery_by_the_claim_that_took_over()
    {
        await using var queue = await QueueAsync(["ada@gmail.test"]);
        var first = Assert.Single(await ClaimAsync(queue, T0));
        // The first batch outlives its lease; another replica claims the recipient, delivers it and writes that.
        var second = Assert.Single(await ClaimAsync(queue, T0 + Lease + TimeSpan.FromMinutes(1)));
        Assert.Equal(1, await CompleteAsync(queue, Delivered(second), T0 + Lease + TimeSpan.FromMinutes(2)));

        // The first batch's result comes in last: it must not put the delivered recipient back in the queue.
        Assert.Equal(0, await CompleteAsync(queue, Deferred(first, T0 + TimeSpan.FromHours(1)), T0 + Lease + TimeSpan.FromMinutes(3)));

        Assert.Equal(("Delivered", (DateTimeOffset?)null), await QuerySingleAsync<(string, DateTimeOffset?)>(queue,
            "SELECT status, claimed_until FROM recipients"));
        Assert.Equal([DeliveryEvent.Accepted, DeliveryEvent.Delivered], await EventsAsync(queue));
        Assert.Empty(await ClaimAsync(queue, T0 + TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task A_late_hand_back_from_a_claim_that_ended_does_not_free_the_recipient_another_claim_is_sending()
    {
        await using var queue = await QueueAsync(["ada@gmail.test"]);
        var first = Assert.Single(await ClaimAsync(queue, T0));
        var retakenAt = T0 + Lease + TimeSpan.FromMinutes(1);
        var second = Assert.Single(await ClaimAsync(queue, retakenAt));

        // The first batch hands the recipient back, due at once: the second claim is still sending it.
        Assert.Equal(0, await CompleteAsync(queue, [new RecipientResult(first.Id, first.ClaimedUntil, "Queued", "held", null, false, retakenAt)], retakenAt));

        Assert.Empty(await ClaimAsync(queue, retakenAt + TimeSpan.FromSeconds(1)));
        Assert.Equal((retakenAt + Lease, 2), await QuerySingleAsync<(DateTimeOffset, int)>(queue, "SELECT claimed_until, attempts FROM recipients"));
        Assert.Equal(1, await CompleteAsync(queue, Delivered(second), retakenAt + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_claim_writes_no_index_entry_and_a_delivery_writes_them_once()
    {
        // Enough recipients, queued together as the relay's group commit queues them, to fill several pages of the table.
        var addresses = Enumerable.Range(0, 300).Select(i => $"reader{i:D4}@gmail.test").ToList();
        await using var queue = await QueueAsync(addresses);

        var claimed = await ClaimAsync(queue, T0);
        Assert.Equal(addresses.Count, claimed.Count);
        Assert.Equal((addresses.Count, addresses.Count), await UpdatesAsync(queue, addresses.Count));

        // The completion changes the status, which the queue's partial indexes are defined by: that update writes them.
        Assert.Equal(addresses.Count, await CompleteAsync(queue, [.. claimed.SelectMany(Delivered)], T0 + TimeSpan.FromMinutes(1)));
        Assert.Equal((2 * addresses.Count, addresses.Count), await UpdatesAsync(queue, 2 * addresses.Count));
    }

    private async Task<ServiceDatabaseHost> QueueAsync(IReadOnlyList<string> addresses)
    {
        var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        await service.Migrated;
        var serviceId = Guid.NewGuid();
        await using (var connection = await service.Database.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
                VALUES (@ServiceId, @ServiceId, @Username, ARRAY['127.0.1.7'], 'Active', now())
                """, new { ServiceId = serviceId, Username = $"svc-{serviceId:N}" });
        }
        var messages = addresses.Select(to => new NewMessage(Guid.NewGuid(), serviceId, "sender@customer.test",
            "From: sender@customer.test\r\nSubject: Hi\r\n\r\nHello.\r\n"u8.ToArray(), "127.0.0.1",
            [new NewRecipient(to, "gmail.test", "Gmail")], T0, T0 + TimeSpan.FromDays(3))).ToList();
        await MessageQueue.EnqueueAsync(service.Database, messages, CancellationToken.None);
        return service;
    }

    private static Task<IReadOnlyList<ClaimedRecipient>> ClaimAsync(ServiceDatabaseHost queue, DateTimeOffset now) =>
        MessageQueue.ClaimAsync(queue.Database, now, Lease, 0, 1_000, CancellationToken.None);

    private static Task<int> CompleteAsync(ServiceDatabaseHost queue, IReadOnlyList<RecipientResult> results, DateTimeOffset now) =>
        MessageQueue.CompleteAsync(queue.Database, results, now, CancellationToken.None);

    private static RecipientResult[] Delivered(ClaimedRecipient r) =>
        [new(r.Id, r.ClaimedUntil, "Delivered", "250 2.0.0 OK", "127.0.1.7", false, T0, Event: DeliveryEvent.Delivered)];

    private static RecipientResult[] Deferred(ClaimedRecipient r, DateTimeOffset next) =>
        [new(r.Id, r.ClaimedUntil, "Queued", "451 4.7.1 Try again later", "127.0.1.7", true, next, Event: DeliveryEvent.Deferred)];

    private static async Task<List<string>> EventsAsync(ServiceDatabaseHost queue)
    {
        await using var connection = await queue.Database.OpenAsync();
        return [.. await connection.QueryAsync<string>("SELECT event FROM delivery_events ORDER BY id")];
    }

    private static async Task<T> QuerySingleAsync<T>(ServiceDatabaseHost queue, string sql)
    {
        await using var connection = await queue.Database.OpenAsync();
        return await connection.QuerySingleAsync<T>(sql);
    }

    /// <summary>
    /// The table's updates and how many of them were HOT, once all <paramref name="expected"/> updates are counted
    /// (a backend reports its counts when it goes idle, within about a second).
    /// </summary>
    private static async Task<(long Updated, long Hot)> UpdatesAsync(ServiceDatabaseHost queue, long expected)
    {
        const string sql = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'recipients'::regclass";
        for (var waited = TimeSpan.Zero; ; waited += TimeSpan.FromMilliseconds(200))
        {
            var counts = await QuerySingleAsync<(long, long)>(queue, sql);
            if (counts.Item1 >= expected || waited > TimeSpan.FromSeconds(30)) return counts;
            await Task.Delay(200);
        }
    }
}
