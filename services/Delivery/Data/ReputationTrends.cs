using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>One source IP's counts on one day (UTC): attempts that ended delivered, deferred or bounced, and complaints.</summary>
public sealed record SourceIpDay(string SourceIp, DateTimeOffset Day, long Delivered, long Deferred, long Bounced, long Complained);

/// <summary>Complaints about mail from one sending domain (the envelope sender's) on one day (UTC).</summary>
public sealed record SendingDomainDay(string Domain, DateTimeOffset Day, long Complained);

/// <summary>
/// What the reputation panel reads: a service's dedicated IPs and sending domains, each IP's days from
/// source_ip_history (counted by the delivery_events trigger, migrations 0023 and 0027, folded by HistoryDeltas) and the complaints per sending
/// domain from the complaint events (few, with their own partial index).
/// </summary>
public static class ReputationTrends
{
    private const string SourceIpsSql = """
        SELECT DISTINCT ip FROM relay_accounts CROSS JOIN LATERAL unnest(source_ips) AS ip
        WHERE service_id = @ServiceId ORDER BY ip
        """;

    private const string SendingDomainsSql = "SELECT DISTINCT lower(domain) FROM sending_domains WHERE service_id = @ServiceId ORDER BY 1";

    // With the counts not folded yet (history_deltas), so the answer is exact.
    private const string IpDaysSql = """
        SELECT source_ip, day, sum(delivered)::bigint AS delivered, sum(deferred)::bigint AS deferred,
               sum(bounced)::bigint AS bounced, sum(complained)::bigint AS complained
        FROM (
            SELECT source_ip, day, delivered, deferred, bounced, complained
            FROM source_ip_history
            WHERE service_id = @ServiceId AND day >= @From
            UNION ALL
            SELECT source_ip, date_trunc('day', minute, 'UTC'), delivered, deferred, bounced, complained
            FROM history_deltas
            WHERE service_id = @ServiceId AND source_ip IS NOT NULL AND delivered + deferred + bounced + complained > 0
        ) AS counted
        WHERE day >= @From
        GROUP BY source_ip, day
        ORDER BY source_ip, day
        """;

    // The envelope sender's domain, as the customer gave it (the VERP return path is ours, not theirs).
    private const string DomainComplaintsSql = """
        SELECT lower(split_part(m.mail_from, '@', 2)) AS domain, date_trunc('day', e.occurred_at, 'UTC') AS day, count(*) AS complained
        FROM delivery_events e JOIN messages m ON m.id = e.message_id
        WHERE e.service_id = @ServiceId AND e.event = 'complained' AND e.occurred_at >= @From AND m.mail_from LIKE '%@%'
        GROUP BY 1, 2
        ORDER BY 1, 2
        """;

    private const string DeleteOlderThanSql = """
        DELETE FROM source_ip_history
        WHERE ctid = ANY (ARRAY (SELECT ctid FROM source_ip_history WHERE day < @Cutoff LIMIT @Limit))
        """;

    public static async Task<IReadOnlyList<string>> SourceIpsAsync(Database db, Guid serviceId, CancellationToken ct) =>
        await QueryAsync<string>(db, SourceIpsSql, new { ServiceId = serviceId }, ct);

    public static async Task<IReadOnlyList<string>> SendingDomainsAsync(Database db, Guid serviceId, CancellationToken ct) =>
        await QueryAsync<string>(db, SendingDomainsSql, new { ServiceId = serviceId }, ct);

    public static async Task<IReadOnlyList<SourceIpDay>> IpDaysAsync(Database db, Guid serviceId, DateTimeOffset from, CancellationToken ct) =>
        await QueryAsync<SourceIpDay>(db, IpDaysSql, new { ServiceId = serviceId, From = from }, ct);

    public static async Task<IReadOnlyList<SendingDomainDay>> DomainComplaintsAsync(Database db, Guid serviceId, DateTimeOffset from, CancellationToken ct) =>
        await QueryAsync<SendingDomainDay>(db, DomainComplaintsSql, new { ServiceId = serviceId, From = from }, ct);

    /// <summary>Removes the days that start before <paramref name="cutoff"/>, in slices; returns how many.</summary>
    public static Task<long> DeleteOlderThanAsync(Database db, DateTimeOffset cutoff, int slice, CancellationToken ct) =>
        SlicedDelete.RunAsync(db, DeleteOlderThanSql, new { Cutoff = cutoff }, slice, ct);

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(Database db, string sql, object parameters, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: ct))];
    }
}
