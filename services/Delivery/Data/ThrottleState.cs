using Dapper;
using ProMTA.ServiceDefaults.Data;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.WarmUp;

namespace ProMTA.Delivery.Data;

public sealed record IpWarmUpRow(string SourceIp, Guid ServiceId, DateTimeOffset StartedAt);

/// <summary>The throttling controller's learned lanes and the dedicated IPs in warm-up, kept in Delivery's schema.</summary>
public static class ThrottleState
{
    private const string LoadLanesSql = """
        SELECT source_ip, provider, rate_per_minute, connections, last_throttled_rate, suspended_until, probe_credit FROM throttle_lanes
        """;

    private const string LoadLaneSql = LoadLanesSql + " WHERE source_ip = @Lane AND provider = @Provider";

    private const string SaveLanesSql = """
        INSERT INTO throttle_lanes (source_ip, provider, rate_per_minute, connections, last_throttled_rate, suspended_until, probe_credit, saved_at)
        SELECT l.source_ip, l.provider, l.rate, l.connections, l.last_throttled, l.suspended_until, l.probe_credit, @Now
        FROM unnest(@Ips, @Providers, @Rates, @Connections, @LastThrottled, @SuspendedUntil, @ProbeCredits)
             AS l (source_ip, provider, rate, connections, last_throttled, suspended_until, probe_credit)
        ON CONFLICT (source_ip, provider) DO UPDATE
        SET rate_per_minute = excluded.rate_per_minute, connections = excluded.connections,
            last_throttled_rate = excluded.last_throttled_rate, suspended_until = excluded.suspended_until,
            probe_credit = excluded.probe_credit, saved_at = excluded.saved_at
        """;

    private const string AddWarmUpsSql = """
        INSERT INTO ip_warmups (source_ip, service_id, started_at)
        SELECT ip, @ServiceId, @StartedAt FROM unnest(@Ips) AS ip
        ON CONFLICT (source_ip) DO NOTHING
        """;

    private const string WarmUpsSql = "SELECT source_ip, service_id, started_at FROM ip_warmups";

    // Adds (never overwrites): each replica stores only the sends it counted since its last save.
    private const string AddWarmUpSendsSql = """
        INSERT INTO ip_warmup_sends (source_ip, provider, day_starts_at, sent)
        SELECT * FROM unnest(@Ips, @Providers, @DaysStartAt, @Sent)
        ON CONFLICT (source_ip, provider, day_starts_at) DO UPDATE SET sent = ip_warmup_sends.sent + excluded.sent
        """;

    private const string WarmUpSendsSql = """
        SELECT source_ip, provider, day_starts_at, sent FROM ip_warmup_sends WHERE day_starts_at > @Since
        """;

    // Only the lane's owner reserves (the lease), but a new owner may find the row at any count: the grant is computed
    // from the row as locked, never from what this replica thinks.
    private const string WarmUpDayRowSql = """
        INSERT INTO ip_warmup_sends (source_ip, provider, day_starts_at, sent, reserved) VALUES (@Ip, @Provider, @Day, 0, 0)
        ON CONFLICT (source_ip, provider, day_starts_at) DO NOTHING
        """;

    private const string ReserveWarmUpSendsSql = """
        WITH row AS (
            SELECT reserved FROM ip_warmup_sends WHERE source_ip = @Ip AND provider = @Provider AND day_starts_at = @Day FOR UPDATE)
        UPDATE ip_warmup_sends s SET reserved = least(s.reserved + @Block, @Cap)
        FROM row
        WHERE s.source_ip = @Ip AND s.provider = @Provider AND s.day_starts_at = @Day AND s.reserved < @Cap
        RETURNING s.reserved - row.reserved
        """;

    private const string ReturnWarmUpSendsSql = """
        UPDATE ip_warmup_sends SET reserved = greatest(0, reserved - @Unused)
        WHERE source_ip = @Ip AND provider = @Provider AND day_starts_at = @Day
        """;

    private const string ForgetOldWarmUpSendsSql = "DELETE FROM ip_warmup_sends WHERE day_starts_at < @Before";

    public static async Task<IReadOnlyList<LaneState>> LoadLanesAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string SourceIp, string Provider, double Rate, int Connections, double? LastThrottled, DateTime? SuspendedUntil, double ProbeCredit)>(
            new CommandDefinition(LoadLanesSql, cancellationToken: ct));
        return [.. rows.Select(ToLaneState)];
    }

    private static LaneState ToLaneState((string SourceIp, string Provider, double Rate, int Connections, double? LastThrottled, DateTime? SuspendedUntil, double ProbeCredit) r) =>
        new(r.SourceIp, r.Provider, r.Rate, r.Connections, r.LastThrottled,
            r.SuspendedUntil is { } until ? new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc)) : null, r.ProbeCredit);

    /// <summary>What the lane's last owner saved, or null for a lane never saved.</summary>
    public static async Task<LaneState?> LoadLaneAsync(Database db, string lane, string provider, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string SourceIp, string Provider, double Rate, int Connections, double? LastThrottled, DateTime? SuspendedUntil, double ProbeCredit)?>(
            new CommandDefinition(LoadLaneSql, new { Lane = lane, Provider = provider }, cancellationToken: ct));
        return row is { } r ? ToLaneState(r) : null;
    }

    public static async Task SaveLanesAsync(Database db, IReadOnlyList<LaneState> lanes, DateTimeOffset now, CancellationToken ct)
    {
        if (lanes.Count == 0) return;
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(SaveLanesSql, new
        {
            Now = now,
            Ips = lanes.Select(l => l.SourceIp).ToArray(),
            Providers = lanes.Select(l => l.Provider).ToArray(),
            Rates = lanes.Select(l => l.RatePerMinute).ToArray(),
            Connections = lanes.Select(l => l.Connections).ToArray(),
            LastThrottled = lanes.Select(l => l.LastThrottledRate).ToArray(),
            // Npgsql writes timestamptz[] from UTC DateTimes.
            SuspendedUntil = lanes.Select(l => l.SuspendedUntil?.UtcDateTime).ToArray(),
            ProbeCredits = lanes.Select(l => l.ProbeCredit).ToArray(),
        }, cancellationToken: ct));
    }

    /// <summary>New dedicated IPs start warming now; an IP already warming (or warmed) keeps its start.</summary>
    public static Task AddWarmUpsAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> ips, DateTimeOffset startedAt) =>
        work.ExecuteAsync(AddWarmUpsSql, new { ServiceId = serviceId, StartedAt = startedAt, Ips = ips.ToArray() });

    /// <summary>Adds these sends to the stored per-day totals and forgets days long over.</summary>
    public static async Task AddWarmUpSendsAsync(Database db, IReadOnlyList<WarmUpSends> sends, DateTimeOffset now, CancellationToken ct)
    {
        if (sends.Count == 0) return;
        await using var connection = await db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(AddWarmUpSendsSql, new
        {
            Ips = sends.Select(s => s.SourceIp).ToArray(),
            Providers = sends.Select(s => s.Provider).ToArray(),
            // Npgsql writes timestamptz[] from UTC DateTimes.
            DaysStartAt = sends.Select(s => s.DayStartsAt.UtcDateTime).ToArray(),
            Sent = sends.Select(s => s.Sent).ToArray(),
        }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(ForgetOldWarmUpSendsSql, new { Before = now - TimeSpan.FromDays(2) }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Reserves up to <paramref name="block"/> sends of a warming IP's day for one provider, within <paramref name="cap"/>
    /// over all replicas; returns how many it got (0: the day's cap is spent).
    /// </summary>
    public static async Task<long> ReserveWarmUpSendsAsync(Database db, string ip, string provider, WarmUpDay day, long block, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var parameters = new { Ip = ip, Provider = provider, Day = day.StartsAt.UtcDateTime, Block = block, Cap = day.Cap };
        await connection.ExecuteAsync(new CommandDefinition(WarmUpDayRowSql, parameters, transaction, cancellationToken: ct));
        var granted = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(ReserveWarmUpSendsSql, parameters, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return granted ?? 0;
    }

    /// <summary>Gives back reserved sends a replica did not use (it let the lane go): another owner may send them today.</summary>
    public static async Task ReturnWarmUpSendsAsync(Database db, string ip, string provider, DateTimeOffset day, long unused, CancellationToken ct)
    {
        if (unused <= 0) return;
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(ReturnWarmUpSendsSql, new { Ip = ip, Provider = provider, Day = day.UtcDateTime, Unused = unused }, cancellationToken: ct));
    }

    /// <summary>The stored totals of the warm-up days still running (each started less than a day ago).</summary>
    public static async Task<IReadOnlyList<WarmUpSends>> WarmUpSendsAsync(Database db, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string SourceIp, string Provider, DateTime DayStartsAt, long Sent)>(
            new CommandDefinition(WarmUpSendsSql, new { Since = now - TimeSpan.FromDays(1) }, cancellationToken: ct));
        return [.. rows.Select(r => new WarmUpSends(r.SourceIp, r.Provider, new DateTimeOffset(DateTime.SpecifyKind(r.DayStartsAt, DateTimeKind.Utc)), r.Sent))];
    }

    public static async Task<IReadOnlyList<IpWarmUpRow>> WarmUpsAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<IpWarmUpRow>(new CommandDefinition(WarmUpsSql, cancellationToken: ct))];
    }
}
