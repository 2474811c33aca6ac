using ProMTA.Dns.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

public static class DkimKeys
{
    private const string InsertSql = """
        INSERT INTO dkim_keys (service_id, selector, public_key, private_key_encrypted, created_at)
        VALUES (@ServiceId, @Selector, @PublicKey, @PrivateKeyEncrypted, @CreatedAt)
        """;
    private const string RetireOthersSql = """
        UPDATE dkim_keys SET retire_at = @RetireAt WHERE service_id = @ServiceId AND selector <> @Selector AND retire_at IS NULL
        """;
    private const string PublishedSql = """
        SELECT selector, public_key AS public_key_base64 FROM dkim_keys
        WHERE service_id = @ServiceId AND (retire_at IS NULL OR retire_at > @Now) ORDER BY created_at
        """;
    private const string NewestSql = "SELECT max(created_at) FROM dkim_keys WHERE service_id = @ServiceId";
    private const string DeleteForServiceSql = "DELETE FROM dkim_keys WHERE service_id = @ServiceId";
    private const string HasKeySql = "SELECT EXISTS (SELECT 1 FROM dkim_keys WHERE service_id = @ServiceId)";

    /// <summary>The service's domain was released: a next domain starts pending again, with keys of its own.</summary>
    public static Task DeleteForServiceAsync(UnitOfWork work, Guid serviceId) => work.ExecuteAsync(DeleteForServiceSql, new { ServiceId = serviceId });

    public static async Task<bool> HasKeyAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await Dapper.SqlMapper.ExecuteScalarAsync<bool>(connection, new Dapper.CommandDefinition(HasKeySql, new { ServiceId = serviceId }, cancellationToken: ct));
    }

    public static Task<bool> HasKeyAsync(UnitOfWork work, Guid serviceId) =>
        work.ExecuteScalarAsync<bool>(HasKeySql, new { ServiceId = serviceId });

    /// <summary>When the active (newest) key was made; null without any key.</summary>
    public static Task<DateTimeOffset?> NewestCreatedAtAsync(UnitOfWork work, Guid serviceId) =>
        work.ExecuteScalarAsync<DateTimeOffset?>(NewestSql, new { ServiceId = serviceId });

    /// <summary>Adds the new active key; the others stay published until <paramref name="retireOthersAt"/>.</summary>
    public static async Task AddAsync(UnitOfWork work, Guid serviceId, string selector, string publicKey, string privateKeyEncrypted,
        DateTimeOffset createdAt, DateTimeOffset retireOthersAt)
    {
        await work.ExecuteAsync(InsertSql, new { ServiceId = serviceId, Selector = selector, PublicKey = publicKey, PrivateKeyEncrypted = privateKeyEncrypted, CreatedAt = createdAt });
        await work.ExecuteAsync(RetireOthersSql, new { ServiceId = serviceId, Selector = selector, RetireAt = retireOthersAt });
    }

    public static async Task<IReadOnlyList<DkimPublicKey>> PublishedAsync(UnitOfWork work, Guid serviceId, DateTimeOffset now) =>
        (await work.QueryAsync<DkimPublicKey>(PublishedSql, new { ServiceId = serviceId, Now = now })).ToList();
}
