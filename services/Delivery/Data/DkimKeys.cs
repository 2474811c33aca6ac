using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>A service's current DKIM key, its private half still encrypted.</summary>
public sealed record DkimKey
{
    public Guid ServiceId { get; init; }
    public string Selector { get; init; } = "";
    public string Domain { get; init; } = "";
    public string PrivateKeyEncrypted { get; init; } = "";
}

/// <summary>A service's current key per sending domain: a message is signed with the key of its From domain.</summary>
public sealed record DkimKeySet(IReadOnlyList<DkimKey> Keys)
{
    public DkimKey? For(string? domain) =>
        domain is null ? null : Keys.FirstOrDefault(k => string.Equals(k.Domain.TrimEnd('.'), domain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase));
}

public static class DkimKeys
{
    private const string InsertSql = """
        INSERT INTO dkim_keys (service_id, selector, domain, private_key_encrypted, published_at)
        VALUES (@ServiceId, @Selector, @Domain, @PrivateKeyEncrypted, @PublishedAt)
        ON CONFLICT (service_id, selector) DO NOTHING
        """;

    private const string CurrentSql = """
        SELECT DISTINCT ON (service_id, domain) service_id, selector, domain, private_key_encrypted
        FROM dkim_keys WHERE service_id = ANY(@ServiceIds)
        ORDER BY service_id, domain, published_at DESC
        """;

    public static Task AddAsync(UnitOfWork work, Guid serviceId, string selector, string domain, string privateKeyEncrypted, DateTimeOffset publishedAt) =>
        work.ExecuteAsync(InsertSql, new { ServiceId = serviceId, Selector = selector, Domain = domain, PrivateKeyEncrypted = privateKeyEncrypted, PublishedAt = publishedAt });

    /// <summary>The newest key of each domain of each service that has one.</summary>
    public static async Task<IReadOnlyDictionary<Guid, DkimKeySet>> CurrentAsync(Database db, IEnumerable<Guid> serviceIds, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<DkimKey>(new CommandDefinition(CurrentSql, new { ServiceIds = serviceIds.ToArray() }, cancellationToken: ct));
        return rows.GroupBy(k => k.ServiceId).ToDictionary(g => g.Key, g => new DkimKeySet([.. g]));
    }
}
