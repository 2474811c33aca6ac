using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record ApiKeyRow(Guid Id, string KeyPrefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt);

public sealed class ApiKeyRepository(Database db)
{
    private const string InsertSql = """
        INSERT INTO api_keys (id, customer_id, key_hash, key_prefix, created_at, expires_at)
        VALUES (@Id, @CustomerId, @KeyHash, @KeyPrefix, @CreatedAt, @ExpiresAt)
        """;
    private const string ListSql = """
        SELECT id, key_prefix, created_at, revoked_at, expires_at FROM api_keys WHERE customer_id = @CustomerId ORDER BY created_at DESC, id
        """;
    private const string RevokeSql = """
        UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @Now) WHERE id = @Id AND customer_id = @CustomerId
        """;

    public async Task AddAsync(Guid id, Guid customerId, byte[] keyHash, string keyPrefix, DateTimeOffset now, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(InsertSql, new { Id = id, CustomerId = customerId, KeyHash = keyHash, KeyPrefix = keyPrefix, CreatedAt = now, ExpiresAt = expiresAt });
    }

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(Guid customerId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<ApiKeyRow>(ListSql, new { CustomerId = customerId })).ToList();
    }

    /// <summary>False when the key is not the customer's (another customer's key is indistinguishable from none).</summary>
    public async Task<bool> RevokeAsync(Guid customerId, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(RevokeSql, new { Id = id, CustomerId = customerId, Now = now }) == 1;
    }
}
