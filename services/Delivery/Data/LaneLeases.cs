using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// Which replica paces each lane (source IP or the default route x provider): one owner at a time, for as long as it
/// renews the lease, and all live leases of one provider with one replica. Expiry is judged by the database's clock,
/// so replicas' clocks need not agree.
/// </summary>
public static class LaneLeases
{
    // One replica's lanes per provider at a time: the claim loop claims per provider label and cannot tell which of the
    // label's mail goes out from which IP, so two replicas holding lanes of one provider would each claim the other's
    // mail and hand it back. The lock serialises two replicas asking for lanes of one provider at the same moment.
    private const string LockProviderSql = "SELECT pg_advisory_xact_lock(hashtext('lane_leases:' || @Provider))";

    // A lane nobody holds, or whose owner stopped renewing, goes to the asker unless another live replica holds a lane
    // of the same provider; the owner itself just renews.
    private const string AcquireSql = """
        INSERT INTO lane_leases AS l (lane, provider, owner, acquired_at, expires_at)
        SELECT @Lane, @Provider, @Owner, now(), now() + @Ttl
        WHERE NOT EXISTS (SELECT 1 FROM lane_leases o WHERE o.provider = @Provider AND o.owner <> @Owner AND o.expires_at >= now())
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
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var parameters = new { Lane = lane, Provider = provider, Owner = owner, Ttl = ttl };
        await connection.ExecuteAsync(new CommandDefinition(LockProviderSql, parameters, transaction, cancellationToken: ct));
        // A statement of its own after the lock: its snapshot sees what a replica that held the lock before committed.
        var acquired = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(AcquireSql, parameters, transaction, cancellationToken: ct)) is not null;
        await transaction.CommitAsync(ct);
        return acquired;
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
