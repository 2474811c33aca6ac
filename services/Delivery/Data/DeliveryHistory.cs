using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>One provider's counts in one time bucket (its start, UTC).</summary>
public sealed record HistoryBucket(string Provider, DateTimeOffset Bucket, long Delivered, long Deferred, long Bounced, long Expired);

/// <summary>
/// Reads and trims delivery_history: counts per service, provider and minute/hour/day, counted by the delivery_events
/// trigger (migrations 0013, 0027) and folded in by <see cref="HistoryDeltas"/>, never written here.
/// </summary>
public static class DeliveryHistory
{
    // With the counts not folded yet (history_deltas, at most a second or so of them), so the answer is exact.
    private const string RangeSql = """
        SELECT provider, bucket, sum(delivered)::bigint AS delivered, sum(deferred)::bigint AS deferred,
               sum(bounced)::bigint AS bounced, sum(expired)::bigint AS expired
        FROM (
            SELECT provider, bucket, delivered, deferred, bounced, expired
            FROM delivery_history
            WHERE service_id = @ServiceId AND step = @Step AND bucket >= @From AND bucket < @To
            UNION ALL
            SELECT provider, date_trunc(@Step, minute, 'UTC'), delivered, deferred, bounced, expired
            FROM history_deltas
            WHERE service_id = @ServiceId AND delivered + deferred + bounced + expired > 0
        ) AS counted
        WHERE bucket >= @From AND bucket < @To
        GROUP BY provider, bucket
        ORDER BY provider, bucket
        """;

    private const string DeleteOlderThanSql = """
        DELETE FROM delivery_history
        WHERE ctid = ANY (ARRAY (SELECT ctid FROM delivery_history WHERE step = @Step AND bucket < @Cutoff LIMIT @Limit))
        """;

    public static async Task<IReadOnlyList<HistoryBucket>> RangeAsync(Database db, Guid serviceId, string step, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<HistoryBucket>(new CommandDefinition(RangeSql,
            new { ServiceId = serviceId, Step = step, From = from, To = to }, cancellationToken: ct))];
    }

    /// <summary>Removes the buckets of one step that start before <paramref name="cutoff"/>, in slices; returns how many.</summary>
    public static Task<long> DeleteOlderThanAsync(Database db, string step, DateTimeOffset cutoff, int slice, CancellationToken ct) =>
        SlicedDelete.RunAsync(db, DeleteOlderThanSql, new { Step = step, Cutoff = cutoff }, slice, ct);
}
