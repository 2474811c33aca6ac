using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record ApiKeyRow(Guid Id, string KeyPrefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt);

/// <summary>
/// api_keys: a key is a login's (customer_id) for one account (account_id, null for staff): it is listed, made and
/// revoked only in that membership, and acts on that account only.
/// </summary>
public sealed class ApiKeyRepository(Database db)
{
    private const string InsertSql = """
        INSERT INTO api_keys (id, customer_id, account_id, key_hash, key_prefix, created_at, expires_at)
        VALUES (@Id, @CustomerId, @AccountId, @KeyHash, @KeyPrefix, @CreatedAt, @ExpiresAt)
        """;
    private const string ListSql = """
        SELECT id, key_prefix, created_at, revoked_at, expires_at FROM api_keys WHERE customer_id = @CustomerId AND account_id IS NOT DISTINCT FROM @AccountId ORDER BY created_at DESC, id
        """;
    private const string RevokeSql = """
        UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @Now) WHERE id = @Id AND customer_id = @CustomerId AND account_id IS NOT DISTINCT FROM @AccountId
        """;

    public async Task AddAsync(Guid id, Guid customerId, Guid? accountId, byte[] keyHash, string keyPrefix, DateTimeOffset now, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(InsertSql, new { Id = id, CustomerId = customerId, AccountId = accountId, KeyHash = keyHash, KeyPrefix = keyPrefix, CreatedAt = now, ExpiresAt = expiresAt });
    }

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(Guid customerId, Guid? accountId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<ApiKeyRow>(ListSql, new { CustomerId = customerId, AccountId = accountId })).ToList();
    }

    /// <summary>False when the key is not the customer's (another customer's key is indistinguishable from none).</summary>
    public async Task<bool> RevokeAsync(Guid customerId, Guid? accountId, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(RevokeSql, new { Id = id, CustomerId = customerId, AccountId = accountId, Now = now }) == 1;
    }
}
