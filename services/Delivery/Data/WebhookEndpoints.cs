using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>A customer's endpoint, as the API shows it (never the secret).</summary>
public sealed record Webhook
{
    public Guid Id { get; init; }
    public Guid ServiceId { get; init; }
    public string Url { get; init; } = "";
    public string[] EventTypes { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FailingSince { get; init; }
    public string? LastError { get; init; }
    public bool Replaying { get; init; }
}

/// <summary>An endpoint claimed for one round of calls, with its cursors and encrypted secret.</summary>
public sealed record ClaimedWebhook
{
    public Guid Id { get; init; }
    public Guid ServiceId { get; init; }
    public string Url { get; init; } = "";
    public string[] EventTypes { get; init; } = [];
    public string SecretProtected { get; init; } = "";
    public long Cursor { get; init; }
    public long? ReplayCursor { get; init; }
    public long? ReplayEnd { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset? FailingSince { get; init; }
}

/// <summary>One event as an endpoint receives it.</summary>
public sealed record WebhookEvent
{
    public long Id { get; init; }
    public string Event { get; init; } = "";
    /// <summary>Null for a message refused at RCPT (suppressed): it was never queued.</summary>
    public Guid? MessageId { get; init; }
    public string Recipient { get; init; } = "";
    public string Provider { get; init; } = "";
    public string? Reply { get; init; }
    public string? SourceIp { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
}

/// <summary>One call (or a parked batch), for the customer's dashboard of recent deliveries and failures.</summary>
public sealed record WebhookDelivery
{
    public long Id { get; init; }
    public string Status { get; init; } = "";
    public long FirstEventId { get; init; }
    public long LastEventId { get; init; }
    public int Events { get; init; }
    public bool Replay { get; init; }
    public int? HttpStatus { get; init; }
    public string? Error { get; init; }
    public int DurationMs { get; init; }
    public DateTimeOffset AttemptedAt { get; init; }
}

/// <summary>How a round ended for one cursor: where it now stands, and when the endpoint is due again.</summary>
public sealed record WebhookProgress(Guid WebhookId, bool Replay, long? Cursor, int Attempts, DateTimeOffset? FailingSince, string? LastError, DateTimeOffset NextAttemptAt);

public static class WebhookEndpoints
{
    private const string Columns = "id, service_id, url, event_types, created_at, failing_since, last_error, replay_end IS NOT NULL AS replaying";

    // New endpoints hear what happens from now on: the cursor starts at the service's newest event.
    private const string InsertSql = """
        INSERT INTO webhooks (id, service_id, url, event_types, secret_protected, created_at, cursor, next_attempt_at)
        SELECT @Id, @ServiceId, @Url, @EventTypes, @SecretProtected, @Now,
               coalesce((SELECT max(id) FROM delivery_events WHERE service_id = @ServiceId), 0), @Now
        WHERE (SELECT count(*) FROM webhooks WHERE service_id = @ServiceId) < @Max
        """;

    // Only endpoints with something to send: a new event after the cursor (one probe of the (service_id, id) index) or
    // a replay under way. An idle endpoint is never claimed, so thousands of them cost no writes.
    private const string ClaimSql = """
        WITH due AS (
            SELECT w.id FROM webhooks w
            WHERE w.next_attempt_at <= @Now
              AND (w.replay_end IS NOT NULL OR EXISTS (SELECT 1 FROM delivery_events e WHERE e.service_id = w.service_id AND e.id > w.cursor))
            ORDER BY w.next_attempt_at LIMIT @Limit FOR UPDATE OF w SKIP LOCKED
        )
        UPDATE webhooks w SET next_attempt_at = @LeaseUntil FROM due WHERE w.id = due.id
        RETURNING w.id, w.service_id, w.url, w.event_types, w.secret_protected, w.cursor, w.replay_cursor, w.replay_end, w.attempts, w.failing_since
        """;

    private const string EventsSql = """
        SELECT id, event, message_id, recipient, provider, reply, source_ip, occurred_at FROM delivery_events
        WHERE service_id = @ServiceId AND id > @After AND (@Until::bigint IS NULL OR id <= @Until)
        ORDER BY id LIMIT @Limit
        """;

    public static async Task<bool> AddAsync(
        Database db, Guid id, Guid serviceId, string url, string[] eventTypes, string secretProtected, int max, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        // One writer per service at a time, so the count limit holds under concurrent requests.
        await work.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext('webhooks:' || @ServiceId::text))", new { ServiceId = serviceId });
        var added = await work.ExecuteAsync(InsertSql, new
        {
            Id = id, ServiceId = serviceId, Url = url, EventTypes = eventTypes, SecretProtected = secretProtected, Now = now, Max = max,
        }) == 1;
        await work.CommitAsync(ct);
        return added;
    }

    public static async Task<IReadOnlyList<Webhook>> ListAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<Webhook>(new CommandDefinition(
            $"SELECT {Columns} FROM webhooks WHERE service_id = @ServiceId ORDER BY created_at", new { ServiceId = serviceId }, cancellationToken: ct))];
    }

    public static async Task<Webhook?> FindAsync(Database db, Guid serviceId, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Webhook>(new CommandDefinition(
            $"SELECT {Columns} FROM webhooks WHERE service_id = @ServiceId AND id = @Id", new { ServiceId = serviceId, Id = id }, cancellationToken: ct));
    }

    public static async Task<bool> RemoveAsync(Database db, Guid serviceId, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM webhooks WHERE service_id = @ServiceId AND id = @Id", new { ServiceId = serviceId, Id = id }, cancellationToken: ct)) == 1;
    }

    /// <summary>The endpoint as it is after the change, in the same statement; null when it does not exist (or was just removed).</summary>
    public static async Task<Webhook?> SetSecretAsync(Database db, Guid serviceId, Guid id, string secretProtected, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Webhook>(new CommandDefinition(
            $"UPDATE webhooks SET secret_protected = @SecretProtected WHERE service_id = @ServiceId AND id = @Id RETURNING {Columns}",
            new { ServiceId = serviceId, Id = id, SecretProtected = secretProtected }, cancellationToken: ct));
    }

    /// <summary>Sends the service's events that happened in [from, to) again; false when there are none. Replaces a replay under way.</summary>
    public static async Task<bool> StartReplayAsync(Database db, Guid serviceId, Guid id, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            WITH span AS (
                SELECT min(id) AS first, max(id) AS last FROM delivery_events
                WHERE service_id = @ServiceId AND occurred_at >= @From AND occurred_at < @To
            )
            UPDATE webhooks SET replay_cursor = span.first - 1, replay_end = span.last, next_attempt_at = least(next_attempt_at, @Now)
            FROM span WHERE service_id = @ServiceId AND id = @Id AND span.first IS NOT NULL
            """, new { ServiceId = serviceId, Id = id, From = from, To = to, Now = now }, cancellationToken: ct)) == 1;
    }

    public static async Task<(IReadOnlyList<WebhookDelivery> Items, long Total)> DeliveriesAsync(
        Database db, Guid webhookId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<WebhookDelivery>(new CommandDefinition("""
            SELECT id, status, first_event_id, last_event_id, events, replay, http_status, error, duration_ms, attempted_at
            FROM webhook_deliveries WHERE webhook_id = @WebhookId ORDER BY attempted_at DESC, id DESC OFFSET @Offset LIMIT @Limit
            """, new { WebhookId = webhookId, Offset = (page - 1) * pageSize, Limit = pageSize }, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = @WebhookId", new { WebhookId = webhookId }, cancellationToken: ct));
        return ([.. items], total);
    }

    public static async Task<IReadOnlyList<ClaimedWebhook>> ClaimAsync(Database db, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var claimed = (await work.QueryAsync<ClaimedWebhook>(ClaimSql, new { Now = now, LeaseUntil = now + lease, Limit = limit })).ToList();
        await work.CommitAsync(ct);
        return claimed;
    }

    /// <summary>The service's events after <paramref name="after"/> (up to <paramref name="until"/> when given), oldest first.</summary>
    public static async Task<IReadOnlyList<WebhookEvent>> EventsAsync(Database db, Guid serviceId, long after, long? until, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<WebhookEvent>(new CommandDefinition(EventsSql,
            new { ServiceId = serviceId, After = after, Until = until, Limit = limit }, cancellationToken: ct))];
    }

    /// <summary>
    /// Records the round and moves the cursor in one transaction, so a crash between the two cannot skip events (it
    /// can only send a batch again: at least once). A replay step (recorded after the live one) never changes the
    /// endpoint's failure state and only brings its next round forward; a replay that reached its end is over.
    /// </summary>
    public static async Task RecordAsync(Database db, WebhookProgress progress, WebhookDelivery? delivery, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var moved = await work.ExecuteAsync(progress.Replay
            ? """
              UPDATE webhooks SET replay_cursor = coalesce(@Cursor, replay_cursor), next_attempt_at = least(next_attempt_at, @NextAttemptAt),
                     replay_end = CASE WHEN coalesce(@Cursor, replay_cursor) >= replay_end THEN NULL ELSE replay_end END
              WHERE id = @WebhookId
              """
            : """
              UPDATE webhooks SET cursor = coalesce(@Cursor, cursor), attempts = @Attempts, failing_since = @FailingSince,
                     last_error = @LastError, next_attempt_at = @NextAttemptAt
              WHERE id = @WebhookId
              """, progress);
        // Removed while its batch was in flight: nothing to record.
        if (moved == 1 && delivery is not null)
        {
            await work.ExecuteAsync("""
                INSERT INTO webhook_deliveries (webhook_id, status, first_event_id, last_event_id, events, replay, http_status, error, duration_ms, attempted_at)
                VALUES (@WebhookId, @Status, @FirstEventId, @LastEventId, @Events, @Replay, @HttpStatus, @Error, @DurationMs, @AttemptedAt)
                """, new
            {
                progress.WebhookId, delivery.Status, delivery.FirstEventId, delivery.LastEventId, delivery.Events, delivery.Replay,
                delivery.HttpStatus, delivery.Error, delivery.DurationMs, delivery.AttemptedAt,
            });
        }
        await work.CommitAsync(ct);
    }

    /// <summary>The dashboard keeps what the event log keeps; in slices (SlicedDelete), along the age index.</summary>
    public static Task<long> DeleteDeliveriesOlderThanAsync(Database db, DateTimeOffset cutoff, int slice, CancellationToken ct) =>
        SlicedDelete.RunAsync(db, """
            DELETE FROM webhook_deliveries
            WHERE id = ANY (ARRAY (SELECT id FROM webhook_deliveries WHERE attempted_at < @Cutoff LIMIT @Limit))
            """, new { Cutoff = cutoff }, slice, ct);
}
