using Dapper;
using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// Which replica paces each lane (source IP or the default route x provider): one owner at a time, for as long as it
/// renews the lease, all live leases of one provider with one replica, and each live replica (its heartbeat in
/// lane_replicas, renewed with its leases) pacing about its share of the providers (<see cref="LaneSpread"/>). Expiry is
/// judged by the database's clock, so replicas' clocks need not agree.
/// </summary>
public static class LaneLeases
{
    // One lock for every ask and hand-over: each sees the loads the one before it left. The claim loop claims per
    // provider label and cannot tell which of the label's mail goes out from which IP, so two replicas holding lanes of
    // one provider would each claim the other's mail and hand it back; and two replicas deciding on the same counts
    // at once could both take the last place of a share, or both hand a provider to the same replica.
    private const string LockSql = "SELECT pg_advisory_xact_lock(hashtext('lane_leases'))";

    // What an ask is decided on: another live owner of the provider; a live lane of it already ours; how many other
    // providers we pace; the providers with a live lease, counting this one; the live replicas, counting the asker.
    private const string AskSql = """
        SELECT EXISTS (SELECT 1 FROM lane_leases WHERE provider = @Provider AND owner <> @Owner AND expires_at >= now()),
               EXISTS (SELECT 1 FROM lane_leases WHERE provider = @Provider AND owner = @Owner AND expires_at >= now()),
               (SELECT count(DISTINCT provider) FROM lane_leases WHERE owner = @Owner AND provider <> @Provider AND expires_at >= now()),
               (SELECT count(DISTINCT provider) FROM lane_leases WHERE provider <> @Provider AND expires_at >= now()) + 1,
               (SELECT count(*) FROM lane_replicas WHERE replica <> @Owner AND expires_at >= now()) + 1
        """;

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

    // Every lease the database says is ours, including lanes another replica handed to us since, with the heartbeat at
    // the same now() + ttl: a killed replica stops counting among the live ones the instant its lanes become free.
    // Heartbeats of replicas gone for a day are dropped here too.
    private const string RenewSql = """
        WITH beat AS (
            INSERT INTO lane_replicas (replica, expires_at) VALUES (@Owner, now() + @Ttl)
            ON CONFLICT (replica) DO UPDATE SET expires_at = excluded.expires_at),
        gone AS (DELETE FROM lane_replicas WHERE expires_at < now() - interval '1 day')
        UPDATE lane_leases SET expires_at = now() + @Ttl WHERE owner = @Owner
        RETURNING lane, provider
        """;

    private const string ReleaseSql = """
        DELETE FROM lane_leases l USING unnest(@Lanes, @Providers) AS k (lane, provider)
        WHERE l.lane = k.lane AND l.provider = k.provider AND l.owner = @Owner;
        DELETE FROM lane_replicas WHERE replica = @Owner;
        """;

    private const string LoadsSql = """
        SELECT r.replica, count(DISTINCT l.provider)
        FROM lane_replicas r LEFT JOIN lane_leases l ON l.owner = r.replica AND l.expires_at >= now()
        WHERE r.expires_at >= now()
        GROUP BY r.replica
        """;

    // The provider held longest, once every lane of it was held at least @MinHolding: a provider just taken (or just
    // handed over) is not passed on again at once.
    private const string HandOverCandidateSql = """
        SELECT provider FROM lane_leases WHERE owner = @Owner AND expires_at >= now()
        GROUP BY provider HAVING max(acquired_at) <= now() - @MinHolding
        ORDER BY min(acquired_at), provider LIMIT 1
        """;

    // The lease goes straight to the target (live, as its heartbeat said under the lock), which adopts the lanes at its
    // next renewal or ask; if it never does, the lease expires as any other.
    private const string HandOverSql = """
        UPDATE lane_leases SET owner = @Target, acquired_at = now(), expires_at = now() + @Ttl
        WHERE provider = @Provider AND owner = @Owner
        """;

    /// <summary>
    /// Asks for the lane: <see cref="LeaseAnswer.Taken"/> when <paramref name="owner"/> holds it now (taken, taken over,
    /// or renewed). A free provider is taken only below the owner's share, unless <paramref name="beyondShare"/> (nobody
    /// else took it for a while).
    /// </summary>
    public static async Task<LeaseAnswer> TryAcquireAsync(
        Database db, string lane, string provider, string owner, TimeSpan ttl, bool beyondShare, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var parameters = new { Lane = lane, Provider = provider, Owner = owner, Ttl = ttl };
        await connection.ExecuteAsync(new CommandDefinition(LockSql, transaction: transaction, cancellationToken: ct));
        // Statements of their own after the lock: their snapshots see what a replica that held the lock before committed.
        var (elsewhere, mine, held, providers, replicas) = await connection.QuerySingleAsync<(bool, bool, long, long, long)>(
            new CommandDefinition(AskSql, parameters, transaction, cancellationToken: ct));
        if (elsewhere) return LeaseAnswer.HeldElsewhere;
        if (!mine && !beyondShare && !LaneSpread.MayTake(held, providers, replicas)) return LeaseAnswer.OverShare;
        var acquired = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(AcquireSql, parameters, transaction, cancellationToken: ct)) is not null;
        await transaction.CommitAsync(ct);
        return acquired ? LeaseAnswer.Taken : LeaseAnswer.HeldElsewhere;
    }

    /// <summary>Renews every lease <paramref name="owner"/> holds and its heartbeat; returns the lanes it holds (lanes handed to it included).</summary>
    public static async Task<IReadOnlyList<(string Lane, string Provider)>> RenewAsync(Database db, string owner, TimeSpan ttl, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<(string, string)>(new CommandDefinition(RenewSql, new { Owner = owner, Ttl = ttl }, cancellationToken: ct))];
    }

    /// <summary>Lets these lanes go at once with the heartbeat (a stopping replica), so another replica takes them without waiting for expiry.</summary>
    public static async Task ReleaseAsync(Database db, IReadOnlyList<(string Lane, string Provider)> lanes, string owner, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseSql, new
        {
            Lanes = lanes.Select(l => l.Lane).ToArray(), Providers = lanes.Select(l => l.Provider).ToArray(), Owner = owner,
        }, cancellationToken: ct));
    }

    /// <summary>
    /// Under the lock: when <paramref name="target"/> names a replica for the live loads, and <paramref name="owner"/>
    /// has held a provider at least <paramref name="minHolding"/>, runs <paramref name="letGo"/> (stop pacing it, save its
    /// state) and gives its lanes' leases to that replica. Returns the provider and replica, or null when nothing moved.
    /// </summary>
    public static async Task<(string Provider, string Replica)?> HandOverAsync(Database db, string owner, TimeSpan minHolding, TimeSpan ttl,
        Func<IReadOnlyCollection<ReplicaLoad>, string?> target, Func<string, Task> letGo, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(LockSql, transaction: transaction, cancellationToken: ct));
        var loads = (await connection.QueryAsync<(string Replica, long Providers)>(new CommandDefinition(LoadsSql, transaction: transaction, cancellationToken: ct)))
            .Select(l => new ReplicaLoad(l.Replica, l.Providers)).ToList();
        if (target(loads) is not { } replica) return null;
        var provider = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(HandOverCandidateSql,
            new { Owner = owner, MinHolding = minHolding }, transaction, cancellationToken: ct));
        if (provider is null) return null;
        await letGo(provider);
        await connection.ExecuteAsync(new CommandDefinition(HandOverSql,
            new { Owner = owner, Target = replica, Provider = provider, Ttl = ttl }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return (provider, replica);
    }
}

/// <summary><see cref="LaneLeases.TryAcquireAsync"/>'s answer.</summary>
public enum LeaseAnswer
{
    /// <summary>The asker holds the lane now.</summary>
    Taken,

    /// <summary>Another live replica holds a lane of the provider.</summary>
    HeldElsewhere,

    /// <summary>The provider is free, but the asker paces its share already: a replica below its share should take it.</summary>
    OverShare,
}
