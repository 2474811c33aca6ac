using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>A dedicated IP or sending domain of a live service: what the reputation watch looks up.</summary>
public sealed record BlocklistSubject
{
    public Guid ServiceId { get; init; }
    public Guid CustomerId { get; init; }
    public string Subject { get; init; } = "";
    public string Kind { get; init; } = "";
}

/// <summary>One listing episode: from the cycle that first saw it to the one that saw it gone (null while listed).</summary>
public sealed record BlocklistListing
{
    public long Id { get; init; }
    public Guid ServiceId { get; init; }
    public string Subject { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Zone { get; init; } = "";
    public string Answer { get; init; } = "";
    public DateTimeOffset ListedAt { get; init; }
    public DateTimeOffset LastSeenAt { get; init; }
    public DateTimeOffset? DelistedAt { get; init; }
}

public static class BlocklistListings
{
    private const string SubjectsSql = """
        SELECT a.service_id, o.customer_id, ip AS subject, 'ip' AS kind
        FROM relay_accounts a JOIN service_owners o ON o.service_id = a.service_id CROSS JOIN LATERAL unnest(a.source_ips) AS ip
        WHERE a.status <> 'Ended'
        UNION ALL
        SELECT d.service_id, o.customer_id, lower(d.domain), 'domain'
        FROM sending_domains d JOIN service_owners o ON o.service_id = d.service_id
        JOIN relay_accounts a ON a.service_id = d.service_id AND a.status <> 'Ended'
        """;

    private const string OpenSql = """
        SELECT id, service_id, subject, kind, zone, answer, listed_at, last_seen_at, delisted_at
        FROM blocklist_listings WHERE delisted_at IS NULL
        """;

    // Replicas may see the same listing in the same cycle: the open-listing index lets one insert win; only the
    // winner (a row returned) announces it.
    private const string ListedSql = """
        INSERT INTO blocklist_listings (service_id, subject, kind, zone, answer, listed_at, last_seen_at)
        VALUES (@ServiceId, @Subject, @Kind, @Zone, @Answer, @Now, @Now)
        ON CONFLICT (service_id, subject, zone) WHERE delisted_at IS NULL DO NOTHING
        RETURNING id
        """;

    private const string SeenSql = "UPDATE blocklist_listings SET last_seen_at = @Now, answer = @Answer WHERE id = @Id AND delisted_at IS NULL";

    private const string DelistedSql = """
        UPDATE blocklist_listings SET delisted_at = @Now WHERE id = @Id AND delisted_at IS NULL RETURNING listed_at
        """;

    private const string HistorySql = """
        SELECT id, service_id, subject, kind, zone, answer, listed_at, last_seen_at, delisted_at
        FROM blocklist_listings WHERE service_id = @ServiceId
        ORDER BY listed_at DESC, id DESC LIMIT @Limit
        """;

    public static async Task<IReadOnlyList<BlocklistSubject>> SubjectsAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<BlocklistSubject>(new CommandDefinition(SubjectsSql, cancellationToken: ct))];
    }

    public static async Task<IReadOnlyList<BlocklistListing>> OpenAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<BlocklistListing>(new CommandDefinition(OpenSql, cancellationToken: ct))];
    }

    /// <summary>Records a new listing; false when an open one was already there (another replica, the same cycle).</summary>
    public static async Task<bool> ListedAsync(UnitOfWork work, BlocklistSubject subject, string zone, string answer, DateTimeOffset now) =>
        await work.ExecuteScalarAsync<long?>(ListedSql, new { subject.ServiceId, subject.Subject, subject.Kind, Zone = zone, Answer = answer, Now = now }) is not null;

    public static Task SeenAsync(UnitOfWork work, long id, string answer, DateTimeOffset now) => work.ExecuteAsync(SeenSql, new { Id = id, Answer = answer, Now = now });

    /// <summary>Closes the listing; false when another replica closed it first.</summary>
    public static async Task<bool> DelistedAsync(UnitOfWork work, long id, DateTimeOffset now) =>
        await work.ExecuteScalarAsync<DateTimeOffset?>(DelistedSql, new { Id = id, Now = now }) is not null;

    public static async Task<IReadOnlyList<BlocklistListing>> HistoryAsync(Database db, Guid serviceId, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<BlocklistListing>(new CommandDefinition(HistorySql, new { ServiceId = serviceId, Limit = limit }, cancellationToken: ct))];
    }
}
