using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// Which replica paces each lane (source IP or the default route x provider): one owner at a time, for as long as it
/// renews the lease. Expiry is judged by the database's clock, so replicas' clocks need not agree.
/// </summary>
public static class LaneLeases
{
    // A lane nobody holds, or whose owner stopped renewing, goes to the asker; the owner itself just renews.
    private const string AcquireSql = """
        INSERT INTO lane_leases AS l (lane, provider, owner, acquired_at, expires_at)
        VALUES (@Lane, @Provider, @Owner, now(), now() + @Ttl)
        ON CONFLICT (lane, provider) DO UPDATE
        SET owner = excluded.owner, expires_at = excluded.expires_at,
            acquired_at = CASE WHEN l.owner = excluded.owner THEN l.acquired_at ELSE excluded.acquired_at END
        WHERE l.owner = excluded.owner OR l.expires_at < now()
        RETURNING l.lane
        """;

    private const string RenewSql = """
        UPDATE lane_leases l SET expires_at = now() + @Ttl
        FROM unnest(@Lanes, @Providers) AS k (lane, provider)
        WHERE l.lane = k.lane AND l.provider = k.provider AND l.owner = @Owner
        RETURNING l.lane, l.provider
        """;

    private const string ReleaseSql = """
        DELETE FROM lane_leases l USING unnest(@Lanes, @Providers) AS k (lane, provider)
        WHERE l.lane = k.lane AND l.provider = k.provider AND l.owner = @Owner
        """;

    /// <summary>True when <paramref name="owner"/> holds the lane now (taken, taken over, or renewed).</summary>
    public static async Task<bool> TryAcquireAsync(Database db, string lane, string provider, string owner, TimeSpan ttl, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(AcquireSql,
            new { Lane = lane, Provider = provider, Owner = owner, Ttl = ttl }, cancellationToken: ct)) is not null;
    }

    /// <summary>Renews these lanes' leases; returns those <paramref name="owner"/> still holds (the others were taken over).</summary>
    public static async Task<IReadOnlyList<(string Lane, string Provider)>> RenewAsync(
        Database db, IReadOnlyList<(string Lane, string Provider)> lanes, string owner, TimeSpan ttl, CancellationToken ct)
    {
        if (lanes.Count == 0) return [];
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<(string, string)>(new CommandDefinition(RenewSql, new
        {
            Lanes = lanes.Select(l => l.Lane).ToArray(), Providers = lanes.Select(l => l.Provider).ToArray(), Owner = owner, Ttl = ttl,
        }, cancellationToken: ct))];
    }

    /// <summary>Lets these lanes go at once (a stopping replica), so another replica takes them without waiting for expiry.</summary>
    public static async Task ReleaseAsync(Database db, IReadOnlyList<(string Lane, string Provider)> lanes, string owner, CancellationToken ct)
    {
        if (lanes.Count == 0) return;
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseSql, new
        {
            Lanes = lanes.Select(l => l.Lane).ToArray(), Providers = lanes.Select(l => l.Provider).ToArray(), Owner = owner,
        }, cancellationToken: ct));
    }
}
