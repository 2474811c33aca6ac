using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>How many events of one type a service had with one provider: in all (within retention) and recently.</summary>
public sealed record EventCount(string Provider, string Event, long Total, long Recent);

/// <summary>
/// Reads and trims the delivery_events log. The log is written by <see cref="MessageQueue"/> in the same statements as
/// the queue's own changes, never here.
/// </summary>
public static class DeliveryEvents
{
    private const string CountsSql = """
        SELECT provider, event, count(*) AS total, count(*) FILTER (WHERE occurred_at >= @Since) AS recent
        FROM delivery_events WHERE service_id = @ServiceId
        GROUP BY provider, event
        """;

    // In slices (SlicedDelete). By ctid: the log has no primary key (migration 0029); the BRIN index finds the old pages.
    // Events are never updated, so a row's ctid stays its own between the select and the delete.
    private const string DeleteOlderThanSql = """
        DELETE FROM delivery_events
        WHERE ctid = ANY (ARRAY (SELECT ctid FROM delivery_events WHERE occurred_at < @Cutoff LIMIT @Limit))
        """;

    public static async Task<IReadOnlyList<EventCount>> CountsAsync(Database db, Guid serviceId, DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<EventCount>(new CommandDefinition(CountsSql, new { ServiceId = serviceId, Since = since }, cancellationToken: ct))];
    }

    /// <summary>Removes the events that happened before <paramref name="cutoff"/>; returns how many.</summary>
    public static Task<long> DeleteOlderThanAsync(Database db, DateTimeOffset cutoff, int slice, CancellationToken ct) =>
        SlicedDelete.RunAsync(db, DeleteOlderThanSql, new { Cutoff = cutoff }, slice, ct);
}
