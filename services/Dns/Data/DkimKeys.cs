using ProMTA.Dns.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

/// <summary>DKIM keys per service and sending domain; each domain signs with its own newest key.</summary>
public static class DkimKeys
{
    private const string InsertSql = """
        INSERT INTO dkim_keys (service_id, domain, selector, public_key, private_key_encrypted, created_at)
        VALUES (@ServiceId, @Domain, @Selector, @PublicKey, @PrivateKeyEncrypted, @CreatedAt)
        """;
    private const string RetireOthersSql = """
        UPDATE dkim_keys SET retire_at = @RetireAt
        WHERE service_id = @ServiceId AND domain = @Domain AND selector <> @Selector AND retire_at IS NULL
        """;
    private const string PublishedSql = """
        SELECT selector, public_key AS public_key_base64 FROM dkim_keys
        WHERE service_id = @ServiceId AND domain = @Domain AND (retire_at IS NULL OR retire_at > @Now) ORDER BY created_at
        """;
    private const string NewestSql = "SELECT max(created_at) FROM dkim_keys WHERE service_id = @ServiceId AND domain = @Domain";
    private const string DeleteSql = "DELETE FROM dkim_keys WHERE service_id = @ServiceId AND domain = @Domain";
    private const string HasKeySql = "SELECT EXISTS (SELECT 1 FROM dkim_keys WHERE service_id = @ServiceId AND domain = @Domain)";
    private const string SelectorTakenSql = "SELECT EXISTS (SELECT 1 FROM dkim_keys WHERE service_id = @ServiceId AND selector = @Selector)";

    /// <summary>The service's domains that have a key, i.e. were verified.</summary>
    public static async Task<IReadOnlySet<string>> KeyedDomainsAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await Dapper.SqlMapper.QueryAsync<string>(connection, new Dapper.CommandDefinition(
            "SELECT DISTINCT domain FROM dkim_keys WHERE service_id = @ServiceId", new { ServiceId = serviceId }, cancellationToken: ct))).ToHashSet();
    }

    /// <summary>The domain was released: if the service gets it again, it starts pending, with a new key.</summary>
    public static Task DeleteAsync(UnitOfWork work, Guid serviceId, string domain) => work.ExecuteAsync(DeleteSql, new { ServiceId = serviceId, Domain = domain });

    /// <summary>A domain with a key was verified once: its records are published (a pending one has none).</summary>
    public static Task<bool> HasKeyAsync(UnitOfWork work, Guid serviceId, string domain) =>
        work.ExecuteScalarAsync<bool>(HasKeySql, new { ServiceId = serviceId, Domain = domain });

    /// <summary>True when the service already has a key under <paramref name="selector"/> (selectors are unique per service).</summary>
    public static Task<bool> SelectorTakenAsync(UnitOfWork work, Guid serviceId, string selector) =>
        work.ExecuteScalarAsync<bool>(SelectorTakenSql, new { ServiceId = serviceId, Selector = selector });

    /// <summary>When the domain's active (newest) key was made; null without any key.</summary>
    public static Task<DateTimeOffset?> NewestCreatedAtAsync(UnitOfWork work, Guid serviceId, string domain) =>
        work.ExecuteScalarAsync<DateTimeOffset?>(NewestSql, new { ServiceId = serviceId, Domain = domain });

    /// <summary>Adds the domain's new active key; its others stay published until <paramref name="retireOthersAt"/>.</summary>
    public static async Task AddAsync(UnitOfWork work, Guid serviceId, string domain, string selector, string publicKey, string privateKeyEncrypted,
        DateTimeOffset createdAt, DateTimeOffset retireOthersAt)
    {
        await work.ExecuteAsync(InsertSql, new
        {
            ServiceId = serviceId, Domain = domain, Selector = selector, PublicKey = publicKey, PrivateKeyEncrypted = privateKeyEncrypted, CreatedAt = createdAt,
        });
        await work.ExecuteAsync(RetireOthersSql, new { ServiceId = serviceId, Domain = domain, Selector = selector, RetireAt = retireOthersAt });
    }

    public static async Task<IReadOnlyList<DkimPublicKey>> PublishedAsync(UnitOfWork work, Guid serviceId, string domain, DateTimeOffset now) =>
        (await work.QueryAsync<DkimPublicKey>(PublishedSql, new { ServiceId = serviceId, Domain = domain, Now = now })).ToList();
}
