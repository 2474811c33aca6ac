using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;
using ProMTA.ServiceDefaults.Messaging.Flow;

namespace ProMTA.ServiceDefaults.Messaging;

/// <summary>
/// Deletes a service's message history older than <see cref="FlowRetentionOptions.Period"/>: consumed-message records
/// (the flow view), inbox rows (a redelivery comes within minutes, not months) and outbox rows already relayed. Each
/// table gets rows for every message and would otherwise grow for ever. Batches until nothing old is left; several
/// replicas share the work (the batches skip rows another replica is deleting). Unsent outbox rows are never touched.
/// </summary>
internal sealed partial class MessageHistoryRetention : PeriodicJob
{
    /// <summary>Per table: one bounded batch of rows older than @Cutoff, found through the index on its time column.</summary>
    private static readonly (string Table, string Sql)[] Batches =
    [
        ("consumed_messages", DeleteBatch("consumed_messages", "message_id, consumer", "last_attempt_at")),
        ("inbox_messages", DeleteBatch("inbox_messages", "message_id, consumer", "handled_at")),
        ("outbox_messages", DeleteBatch("outbox_messages", "id", "sent_at")),
    ];

    private readonly NpgsqlDataSource db;
    private readonly IOptions<FlowRetentionOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<MessageHistoryRetention> log;

    public MessageHistoryRetention(
        NpgsqlDataSource db, IOptions<FlowRetentionOptions> options, TimeProvider time, MigrationState migrations,
        ILogger<MessageHistoryRetention> log) : base(migrations, time, log)
    {
        (this.db, this.options, this.time, this.log) = (db, options, time, log);
    }

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.Value.Period;
        var batch = options.Value.BatchSize;
        foreach (var (table, sql) in Batches)
        {
            var deleted = 0;
            int last;
            do
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                last = await connection.ExecuteAsync(new CommandDefinition(sql, new { Cutoff = cutoff, BatchSize = batch }, cancellationToken: ct));
                deleted += last;
            }
            while (last == batch);
            if (deleted > 0) LogDeleted(deleted, table, cutoff);
        }
    }

    // NULL never compares below the cutoff, so an outbox row not yet relayed (sent_at NULL) is never selected.
    private static string DeleteBatch(string table, string key, string timeColumn) => $"""
        DELETE FROM {table}
        WHERE ({key}) IN (
            SELECT {key} FROM {table}
            WHERE {timeColumn} < @Cutoff
            LIMIT @BatchSize
            FOR UPDATE SKIP LOCKED)
        """;

    [LoggerMessage(LogLevel.Information, "Deleted {Count} rows of {Table} older than {Cutoff}")]
    private partial void LogDeleted(int count, string table, DateTimeOffset cutoff);
}
