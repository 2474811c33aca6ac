using Dapper;
using ProMTA.Delivery.QueueControl;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>How many queued recipients a filter matches: those it may change, and those being sent right now (left to their attempt).</summary>
public sealed record QueueMatch(long Matched, long InFlight);

/// <summary>
/// Purge and requeue by <see cref="QueueFilter"/>. A recipient being sent (its claim still running) is never touched:
/// its attempt's outcome decides, and the answer counts it apart.
/// </summary>
public static class QueueEdits
{
    private const string Free = "(r.claimed_until IS NULL OR r.claimed_until <= @Now)";

    /// <summary>Recipients purged per statement: a large purge never holds one long transaction over the queue.</summary>
    public const int Slice = 5_000;

    public static async Task<QueueMatch> CountAsync(Database db, Guid serviceId, QueueFilter filter, DateTimeOffset now, CancellationToken ct)
    {
        var parameters = Parameters(serviceId, now);
        var sql = $"""
            SELECT count(*) FILTER (WHERE {Free}) AS matched, count(*) FILTER (WHERE NOT {Free}) AS inflight
            FROM recipients r JOIN messages m ON m.id = r.message_id
            WHERE r.service_id = @ServiceId AND r.status = 'Queued'{filter.Conditions(parameters)}
            """;
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleAsync<QueueMatch>(new CommandDefinition(sql, parameters, cancellationToken: ct));
    }

    /// <summary>
    /// Removes up to <see cref="Slice"/> matching recipients from the queue (status Purged, a "purged" event each) in
    /// the caller's transaction; the count removed. Rows a claim is locking right now are skipped (the claim wins).
    /// </summary>
    public static Task<int> PurgeSliceAsync(UnitOfWork work, Guid serviceId, QueueFilter filter, string reply, DateTimeOffset now)
    {
        var parameters = Parameters(serviceId, now);
        parameters.Add("Reply", reply);
        parameters.Add("Event", Domain.DeliveryEvent.Purged);
        parameters.Add("Slice", Slice);
        var sql = $"""
            WITH picked AS (
                SELECT r.id FROM recipients r JOIN messages m ON m.id = r.message_id
                WHERE r.service_id = @ServiceId AND r.status = 'Queued' AND {Free}{filter.Conditions(parameters)}
                LIMIT @Slice
                FOR UPDATE OF r SKIP LOCKED
            ), done AS (
                UPDATE recipients r SET status = 'Purged', last_reply = @Reply, completed_at = @Now
                FROM picked WHERE r.id = picked.id
                RETURNING r.id, r.message_id, r.service_id, r.address, r.provider
            )
            INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, reply, occurred_at)
            SELECT service_id, message_id, id, address, provider, @Event, @Reply, @Now FROM done
            """;
        return work.Connection.ExecuteAsync(sql, parameters, work.Transaction);
    }

    /// <summary>Makes matching recipients that wait for a later attempt due now (held mail stays held); the count.</summary>
    public static Task<int> RequeueAsync(UnitOfWork work, Guid serviceId, QueueFilter filter, DateTimeOffset now)
    {
        var parameters = Parameters(serviceId, now);
        var sql = $"""
            UPDATE recipients r SET next_attempt_at = @Now
            FROM messages m
            WHERE m.id = r.message_id AND r.service_id = @ServiceId AND r.status = 'Queued' AND NOT r.held
              AND r.next_attempt_at > @Now AND {Free}{filter.Conditions(parameters)}
            """;
        return work.Connection.ExecuteAsync(sql, parameters, work.Transaction);
    }

    private static DynamicParameters Parameters(Guid serviceId, DateTimeOffset now)
    {
        var parameters = new DynamicParameters();
        parameters.Add("ServiceId", serviceId);
        parameters.Add("Now", now);
        return parameters;
    }
}
