using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>One provider's counts in one time bucket (its start, UTC).</summary>
public sealed record HistoryBucket(string Provider, DateTimeOffset Bucket, long Delivered, long Deferred, long Bounced, long Expired);

/// <summary>
/// Reads and trims delivery_history: counts per service, provider and minute/hour/day, kept current by the
/// delivery_events trigger (migration 0013), never written here.
/// </summary>
public static class DeliveryHistory
{
    private const string RangeSql = """
        SELECT provider, bucket, delivered, deferred, bounced, expired
        FROM delivery_history
        WHERE service_id = @ServiceId AND step = @Step AND bucket >= @From AND bucket < @To
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
