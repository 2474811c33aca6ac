using System.Diagnostics;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.ServiceDefaults.Messaging;

/// <summary>
/// Publishes committed outbox rows to RabbitMQ and marks them sent. Rows are claimed with SKIP LOCKED so
/// several replicas share the work; a crash between publish and commit republishes the same MessageId,
/// which the consumers' inbox turns into a no-op. Wakes on the outbox's NOTIFY, polls as a fallback.
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource db, ServiceSchema schema, MigrationState migrations, IBus bus, ILogger<OutboxRelay> log) : BackgroundService
{
    public const string ActivitySourceName = "ProMTA.Outbox";
    private const int BatchSize = 100;
    private static readonly ActivitySource Source = new(ActivitySourceName);
    // Every committed outbox row wakes the relay through its NOTIFY (UnitOfWork) unless an earlier claim already sent it
    // (OutboxListener), and a NOTIFY that comes while a batch is under way waits on the listening connection; after a
    // reconnect the relay claims before it waits again. What is left for the poll is a row skipped while another replica
    // held it and then let go: rare, so not a claim every second in each of five services (the idle stack's PostgreSQL
    // ran 5 claims a second for nothing).
    private static readonly TimeSpan FallbackPoll = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private const string ClaimSql = """
        SELECT id, message_type, body::text AS body, trace_parent
        FROM outbox_messages WHERE sent_at IS NULL
        ORDER BY created_at LIMIT @BatchSize
        FOR UPDATE SKIP LOCKED
        """;
    private const string MarkSentSql = "UPDATE outbox_messages SET sent_at = now() WHERE id = ANY(@Ids)";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Completed.WaitAsync(stoppingToken);
        OutboxListener? listener = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                listener ??= await OutboxListener.StartAsync(db, schema, stoppingToken);
                if (await RelayBatchAsync(listener, stoppingToken) < BatchSize)
                {
                    await listener.WaitForUnsentAsync(FallbackPoll, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogRelayFailed(ex, schema.Name);
                if (listener is not null) await listener.DisposeAsync();
                listener = null;
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
        if (listener is not null) await listener.DisposeAsync();
    }

    private async Task<int> RelayBatchAsync(OutboxListener listener, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var rows = (await connection.QueryAsync<OutboxRow>(ClaimSql, new { BatchSize }, transaction)).ToList();
        foreach (var row in rows)
        {
            await PublishAsync(row, ct);
        }
        if (rows.Count > 0)
        {
            var ids = rows.Select(r => r.Id).ToArray();
            await connection.ExecuteAsync(MarkSentSql, new { Ids = ids }, transaction);
            await transaction.CommitAsync(ct);
            listener.Sent(ids);
        }
        return rows.Count;
    }

    private async Task PublishAsync(OutboxRow row, CancellationToken ct)
    {
        var type = MessageTypes.Resolve(row.MessageType);
        var message = JsonSerializer.Deserialize(row.Body, type, UnitOfWork.Json)!;
        // Continue the trace of the request or consumer that wrote the row: one order is one trace.
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = Source.StartActivity($"outbox relay {type.Name}", ActivityKind.Producer, parent);
        await bus.Publish(message, type, ctx => ctx.MessageId = row.Id, ct);
    }

    [LoggerMessage(LogLevel.Warning, "Outbox relay of schema {Schema} failed; retrying")]
    private partial void LogRelayFailed(Exception ex, string schema);

    private sealed record OutboxRow(Guid Id, string MessageType, string Body, string? TraceParent);
}
