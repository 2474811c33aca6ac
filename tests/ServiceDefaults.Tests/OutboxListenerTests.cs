using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Messaging;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>The outbox relay's wake-ups against a real PostgreSQL: rows it already sent cost it no claim.</summary>
public sealed class OutboxListenerTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    // Long enough for a notification on a loaded machine to arrive; the waits that must not wake run out of it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_committed_row_wakes_the_relay_unless_the_relay_already_sent_it()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(OutboxListenerTests).Assembly);
        await service.Migrated;
        var ct = CancellationToken.None;
        await using var listener = await OutboxListener.StartAsync(
            service.Services.GetRequiredService<NpgsqlDataSource>(), service.Services.GetRequiredService<ServiceSchema>(), ct);

        await PublishAsync(service.Database, "new");
        Assert.True(await listener.WaitForUnsentAsync(Patience, ct));

        // Committed while a batch was under way and claimed by it: its notification is still queued, stale.
        var claimedWithTheBatch = await PublishAsync(service.Database, "claimed with the batch");
        listener.Sent([claimedWithTheBatch]);
        Assert.False(await listener.WaitForUnsentAsync(Patience, ct));

        await PublishAsync(service.Database, "committed after the batch");
        Assert.True(await listener.WaitForUnsentAsync(Patience, ct));
    }

    [Fact]
    public async Task A_notification_without_a_row_id_wakes_the_relay()
    {
        await using var service = await ServiceDatabaseHost.StartAsync(postgres, typeof(OutboxListenerTests).Assembly);
        await service.Migrated;
        var ct = CancellationToken.None;
        var schema = service.Services.GetRequiredService<ServiceSchema>();
        await using var listener = await OutboxListener.StartAsync(service.Services.GetRequiredService<NpgsqlDataSource>(), schema, ct);

        await using (var connection = await service.Database.OpenAsync(ct))
        {
            await connection.ExecuteAsync("SELECT pg_notify(@Channel, '')", new { Channel = schema.OutboxChannel });
        }
        Assert.True(await listener.WaitForUnsentAsync(Patience, ct));
    }

    private static async Task<Guid> PublishAsync(Database db, string what)
    {
        await using var work = await db.BeginAsync();
        await work.PublishAsync(new SomethingHappened(Guid.NewGuid(), what));
        var id = await work.ExecuteScalarAsync<Guid>("SELECT id FROM outbox_messages WHERE body->>'what' = @What", new { What = what });
        await work.CommitAsync();
        return id;
    }
}
