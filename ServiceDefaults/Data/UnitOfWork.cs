using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace ProMTA.ServiceDefaults.Data;

/// <summary>
/// One PostgreSQL transaction: the state change and the events it causes (written to the outbox) commit
/// together or not at all. Nothing publishes to the broker directly.
/// </summary>
public sealed class UnitOfWork : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // NOTIFY is delivered only when the transaction commits: exactly when the relay has something to send. It rides on
    // the insert (one round trip, not two) and names the row, so a relay that already sent it does not claim again
    // (OutboxListener).
    private const string InsertOutboxSql = """
        WITH queued AS (
            INSERT INTO outbox_messages (id, message_type, body, trace_parent)
            VALUES (@Id, @MessageType, @Body::jsonb, @TraceParent)
            RETURNING 1)
        SELECT pg_notify(@Channel, @Id::text) FROM queued
        """;

    private readonly ServiceSchema schema;
    private ICommitParticipant? participant;

    private UnitOfWork(NpgsqlConnection connection, NpgsqlTransaction transaction, ServiceSchema schema)
    {
        Connection = connection;
        Transaction = transaction;
        this.schema = schema;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    internal static async Task<UnitOfWork> BeginAsync(NpgsqlDataSource db, ServiceSchema schema, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        var transaction = await connection.BeginTransactionAsync(ct);
        return new UnitOfWork(connection, transaction, schema);
    }

    public Task<int> ExecuteAsync(string sql, object? param = null) => Connection.ExecuteAsync(sql, param, Transaction);

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null) =>
        Connection.QuerySingleOrDefaultAsync<T>(sql, param, Transaction);

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? param = null) => Connection.QueryAsync<T>(sql, param, Transaction);

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? param = null) => Connection.ExecuteScalarAsync<T>(sql, param, Transaction);

    /// <summary>Queues an event in the outbox; it is published after <see cref="CommitAsync"/>, with this trace as parent.</summary>
    public async Task PublishAsync<T>(T message) where T : class
    {
        await ExecuteAsync(InsertOutboxSql, new
        {
            Id = Guid.CreateVersion7(),
            MessageType = typeof(T).FullName,
            Body = JsonSerializer.Serialize(message, Json),
            TraceParent = Activity.Current?.Id,
            Channel = schema.OutboxChannel,
        });
    }

    /// <summary>Has <paramref name="commitParticipant"/> write its row last, in this transaction (the consume recorder's).</summary>
    internal void Join(ICommitParticipant commitParticipant) => participant = commitParticipant;

    public async Task CommitAsync(CancellationToken ct = default)
    {
        if (participant is not null) await participant.BeforeCommitAsync(Connection, Transaction);
        await Transaction.CommitAsync(ct);
        participant?.Committed();
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
