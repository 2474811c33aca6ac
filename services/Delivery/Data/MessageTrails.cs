using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// What to look for: our queue id (the "queued as" of the 250) or the message's Message-ID header, a recipient address,
/// an arrival window.
/// </summary>
public sealed record MessageQuery(
    Guid ServiceId, Guid? MessageId, string? Recipient, DateTimeOffset From, DateTimeOffset To, int Offset, int Limit, string? HeaderMessageId = null);

public sealed record TrailMessage
{
    public Guid Id { get; init; }
    public string? HeaderMessageId { get; init; }
    public string MailFrom { get; init; } = "";
    public int Size { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
}

public sealed record TrailRecipient
{
    public long Id { get; init; }
    public Guid MessageId { get; init; }
    public string Address { get; init; } = "";
    public string Domain { get; init; } = "";
    public string Provider { get; init; } = "";
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public int Deferrals { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public string? LastReply { get; init; }
    public string? SourceIp { get; init; }
    public string? BounceClass { get; init; }
    /// <summary>Parked by a hold of queue control (the customer or staff paused its lane or the whole service).</summary>
    public bool Held { get; init; }
}

public sealed record TrailEvent
{
    public long RecipientId { get; init; }
    public string Event { get; init; } = "";
    public string? Reply { get; init; }
    public string? SourceIp { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
}

/// <summary>One message's recipients and their events, for the messages of one page.</summary>
public sealed record MessageTrailPage(IReadOnlyList<TrailMessage> Messages, IReadOnlyList<TrailRecipient> Recipients, IReadOnlyList<TrailEvent> Events);

/// <summary>
/// Reads a service's messages with each recipient's trail. Every query is bounded by the service and an index
/// (0014_add_message_trail.sql): a recipient by address, a message by id or arrival time, events by recipient.
/// </summary>
public static class MessageTrails
{
    // One statement per way of searching, not one with "@X IS NULL OR ..." branches: the queries are prepared
    // (MaxAutoPrepare), and a generic plan for the branched form scanned every message of the service in the window
    // to find one recipient's (240 ms at 10 M events; tools/scripts/message-search-benchmark.sh).
    private const string Columns = "m.id, m.header_message_id, m.mail_from, m.size, m.received_at";
    private const string Page = "ORDER BY m.received_at DESC, m.id DESC OFFSET @Offset LIMIT @Limit";

    /// <summary>A queue id is the primary key: one row or none.</summary>
    private const string ByIdSql = $"""
        SELECT {Columns} FROM messages m
        WHERE m.id = @MessageId AND m.service_id = @ServiceId AND m.received_at >= @From AND m.received_at < @To
          AND (@Recipient::text IS NULL OR EXISTS (
                SELECT 1 FROM recipients r WHERE r.message_id = m.id AND lower(r.address) = lower(@Recipient)))
        {Page}
        """;

    /// <summary>By the Message-ID header, along the (service, header_message_id) index: usually one message, a few when resent.</summary>
    private const string ByHeaderIdSql = $"""
        SELECT {Columns} FROM messages m
        WHERE m.service_id = @ServiceId AND m.header_message_id = @HeaderMessageId AND m.received_at >= @From AND m.received_at < @To
          AND (@Recipient::text IS NULL OR EXISTS (
                SELECT 1 FROM recipients r WHERE r.message_id = m.id AND lower(r.address) = lower(@Recipient)))
        {Page}
        """;

    /// <summary>From the recipient's rows (service, lower(address) index) to their messages.</summary>
    private const string ByRecipientSql = $"""
        SELECT DISTINCT {Columns} FROM recipients r JOIN messages m ON m.id = r.message_id
        WHERE r.service_id = @ServiceId AND lower(r.address) = lower(@Recipient) AND m.received_at >= @From AND m.received_at < @To
        {Page}
        """;

    /// <summary>The newest messages of the window, along the (service, received_at) index.</summary>
    private const string ByWindowSql = $"""
        SELECT {Columns} FROM messages m
        WHERE m.service_id = @ServiceId AND m.received_at >= @From AND m.received_at < @To
        {Page}
        """;

    private const string RecipientsSql = """
        SELECT id, message_id, address, domain, provider, status, attempts, deferrals, next_attempt_at, expires_at, last_reply, source_ip, bounce_class, held
        FROM recipients
        WHERE message_id = ANY(@MessageIds) AND (@Recipient::text IS NULL OR lower(address) = lower(@Recipient))
        ORDER BY message_id, id
        """;

    private const string EventsSql = """
        SELECT recipient_id, event, reply, source_ip, occurred_at FROM delivery_events
        WHERE recipient_id = ANY(@RecipientIds)
        ORDER BY recipient_id, occurred_at, id
        """;

    public static async Task<MessageTrailPage> FindAsync(Database db, MessageQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var sql = query.MessageId is not null ? ByIdSql : query.HeaderMessageId is not null ? ByHeaderIdSql : query.Recipient is not null ? ByRecipientSql : ByWindowSql;
        var messages = (await connection.QueryAsync<TrailMessage>(new CommandDefinition(sql, new
        {
            query.ServiceId, query.MessageId, query.HeaderMessageId, query.Recipient, query.From, query.To, query.Offset, query.Limit,
        }, cancellationToken: ct))).ToList();
        if (messages.Count == 0) return new([], [], []);
        var recipients = (await connection.QueryAsync<TrailRecipient>(new CommandDefinition(RecipientsSql,
            new { MessageIds = messages.Select(m => m.Id).ToArray(), query.Recipient }, cancellationToken: ct))).ToList();
        var events = (await connection.QueryAsync<TrailEvent>(new CommandDefinition(EventsSql,
            new { RecipientIds = recipients.Select(r => r.Id).ToArray() }, cancellationToken: ct))).ToList();
        return new(messages, recipients, events);
    }
}
