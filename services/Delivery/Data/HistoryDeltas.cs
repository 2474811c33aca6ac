using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// The counts the delivery_events trigger appends (migration 0027) until they are folded into delivery_history and
/// source_ip_history. Appending touches no shared row, so completing batches never wait for each other's counters; the
/// fold is the only writer of the two history tables.
/// </summary>
public static class HistoryDeltas
{
    // One statement: a reader sees each delta either still here or already counted, never both or neither. The oldest
    // first, SKIP LOCKED: replicas folding at once take different deltas. Upserts in key order, as the trigger did, so
    // two folds lock shared buckets in the same order.
    private const string FoldSql = """
        WITH folded AS (
            DELETE FROM history_deltas
            WHERE id = ANY (ARRAY (SELECT id FROM history_deltas ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED))
            RETURNING service_id, minute, provider, source_ip, delivered, deferred, bounced, expired, complained
        ), by_provider AS (
            INSERT INTO delivery_history AS h (service_id, step, bucket, provider, delivered, deferred, bounced, expired)
            SELECT f.service_id, s.step, date_trunc(s.step, f.minute, 'UTC'), f.provider,
                   sum(f.delivered), sum(f.deferred), sum(f.bounced), sum(f.expired)
            FROM folded f CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS s (step)
            WHERE f.delivered + f.deferred + f.bounced + f.expired > 0
            GROUP BY 1, 2, 3, 4
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (service_id, step, bucket, provider) DO UPDATE
                SET delivered = h.delivered + EXCLUDED.delivered, deferred = h.deferred + EXCLUDED.deferred,
                    bounced = h.bounced + EXCLUDED.bounced, expired = h.expired + EXCLUDED.expired
        ), by_source_ip AS (
            INSERT INTO source_ip_history AS h (service_id, source_ip, day, delivered, deferred, bounced, complained)
            SELECT f.service_id, f.source_ip, date_trunc('day', f.minute, 'UTC'),
                   sum(f.delivered), sum(f.deferred), sum(f.bounced), sum(f.complained)
            FROM folded f
            WHERE f.source_ip IS NOT NULL AND f.delivered + f.deferred + f.bounced + f.complained > 0
            GROUP BY 1, 2, 3
            ORDER BY 1, 2, 3
            ON CONFLICT (service_id, source_ip, day) DO UPDATE
                SET delivered = h.delivered + EXCLUDED.delivered, deferred = h.deferred + EXCLUDED.deferred,
                    bounced = h.bounced + EXCLUDED.bounced, complained = h.complained + EXCLUDED.complained
        )
        SELECT count(*) FROM folded
        """;

    /// <summary>Folds up to <paramref name="limit"/> deltas, oldest first; returns how many.</summary>
    public static async Task<long> FoldAsync(Database db, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(FoldSql, new { Limit = limit }, cancellationToken: ct));
    }
}
