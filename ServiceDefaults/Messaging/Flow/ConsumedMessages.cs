using Dapper;
using Npgsql;

namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>One attempt of a consumer at a message.</summary>
internal sealed record ConsumeAttempt(
    Guid MessageId, string Consumer, string MessageType, Guid? OrderId, Guid? ServiceId, string? TraceId,
    DateTimeOffset StartedAt, TimeSpan Duration, string Status, string? Error)
{
    public const string Consumed = "Consumed";
    public const string Faulted = "Faulted";
}

/// <summary>
/// The service's record of consumed messages and, from its outbox, of published ones: both asked by order or service.
/// An attempt whose work commits is written in that transaction (<see cref="AttemptRecording"/>); any other (a fault, a
/// rolled-back or redelivered attempt, a consumer without a unit of work) on a connection of its own, so it is still recorded.
/// </summary>
public sealed class ConsumedMessages(NpgsqlDataSource db)
{
    private const string RecordSql = """
        INSERT INTO consumed_messages (message_id, consumer, message_type, order_id, service_id, trace_id,
                                       first_attempt_at, last_attempt_at, duration_ms, attempts, status, last_error)
        VALUES (@MessageId, @Consumer, @MessageType, @OrderId, @ServiceId, @TraceId,
                @StartedAt, @StartedAt, @DurationMs, 1, @Status, @Error)
        ON CONFLICT (message_id, consumer) DO UPDATE SET
            last_attempt_at = excluded.last_attempt_at, duration_ms = excluded.duration_ms,
            attempts = consumed_messages.attempts + @NewAttempts, status = excluded.status,
            last_error = COALESCE(excluded.last_error, consumed_messages.last_error),
            trace_id = COALESCE(excluded.trace_id, consumed_messages.trace_id)
        """;
    private const string ConsumedSql = """
        SELECT message_id, consumer, message_type, trace_id, first_attempt_at, last_attempt_at, duration_ms, attempts, status, last_error
        FROM consumed_messages WHERE order_id = @OrderId OR service_id = @ServiceId
        """;
    private const string PublishedSql = """
        SELECT id AS message_id, message_type, trace_parent, created_at, sent_at
        FROM outbox_messages WHERE body->>'orderId' = @OrderId::text OR body->>'serviceId' = @ServiceId::text
        """;

    /// <summary>On a connection of its own; <paramref name="newAttempt"/> false when the attempt's row is already written.</summary>
    internal async Task RecordAsync(ConsumeAttempt attempt, bool newAttempt)
    {
        await using var connection = await db.OpenConnectionAsync();
        await WriteAsync(connection, null, attempt, newAttempt);
    }

    internal static Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, ConsumeAttempt attempt, bool newAttempt) =>
        connection.ExecuteAsync(RecordSql, new
        {
            attempt.MessageId, attempt.Consumer, attempt.MessageType, attempt.OrderId, attempt.ServiceId, attempt.TraceId,
            attempt.StartedAt, DurationMs = attempt.Duration.TotalMilliseconds, attempt.Status, attempt.Error, NewAttempts = newAttempt ? 1 : 0,
        }, transaction);

    /// <summary>What this service consumed and published about the order or its service.</summary>
    public async Task<IReadOnlyList<FlowEvent>> FlowAsync(string service, Guid orderId, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var args = new { OrderId = orderId, ServiceId = serviceId };
        var consumed = await connection.QueryAsync<ConsumedRow>(new CommandDefinition(ConsumedSql, args, cancellationToken: ct));
        var published = await connection.QueryAsync<PublishedRow>(new CommandDefinition(PublishedSql, args, cancellationToken: ct));
        return
        [
            .. published.Select(p => new FlowEvent(p.CreatedAt, service, FlowEvent.Published, ShortName(p.MessageType), p.MessageId, null,
                TraceIdOf(p.TraceParent), p.SentAt is { } sent ? (sent - p.CreatedAt).TotalMilliseconds : null, 0,
                p.SentAt is null ? "Pending" : "Relayed", null)),
            .. consumed.Select(c => new FlowEvent(c.FirstAttemptAt, service, FlowEvent.Consumed, c.MessageType, c.MessageId, c.Consumer,
                c.TraceId, c.DurationMs, c.Attempts - 1, c.Status, c.LastError)),
        ];
    }

    private static string ShortName(string fullName) => fullName[(fullName.LastIndexOf('.') + 1)..];

    /// <summary>W3C traceparent "00-{trace id}-{span id}-{flags}".</summary>
    private static string? TraceIdOf(string? traceParent) => traceParent?.Split('-') is [_, var traceId, _, _] ? traceId : null;

    private sealed record ConsumedRow(
        Guid MessageId, string Consumer, string MessageType, string? TraceId, DateTimeOffset FirstAttemptAt, DateTimeOffset LastAttemptAt,
        double DurationMs, int Attempts, string Status, string? LastError);

    private sealed record PublishedRow(Guid MessageId, string MessageType, string? TraceParent, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);
}
