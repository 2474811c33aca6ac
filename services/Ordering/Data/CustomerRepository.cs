using Dapper;
using ProMTA.Ordering.Accounts;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record CustomerRow(
    Guid Id, string Email, string Name, string PasswordHash, string Role, DateTimeOffset? TokensRevokedAt = null, DateTimeOffset? DisabledAt = null,
    DateTimeOffset? EmailVerifiedAt = null, Guid? AccountId = null, bool Removed = false)
{
    public bool IsDisabled => DisabledAt is not null;

    /// <summary>A customer login that belongs to no account any more (removed everywhere): no log-in, no reset, no token.</summary>
    public bool IsRemoved => Removed;
}

/// <summary>The login an API key belongs to, and the one account it acts on (null for a staff key).</summary>
public sealed record ApiKeyOwner(Guid LoginId, string Email, string Role, Guid? AccountId);

public sealed class CustomerRepository(Database db)
{
    private const string InsertCustomerSql = """
        INSERT INTO customers (id, email, name, password_hash, role, created_at)
        VALUES (@Id, @Email, @Name, @PasswordHash, @Role, @CreatedAt)
        ON CONFLICT DO NOTHING
        """;
    private const string InsertApiKeySql = """
        INSERT INTO api_keys (id, customer_id, account_id, key_hash, key_prefix, created_at) VALUES (@Id, @CustomerId, @AccountId, @KeyHash, @KeyPrefix, @CreatedAt)
        """;
    private const string Columns = """
        id, email, name, password_hash, role, tokens_revoked_at, disabled_at, email_verified_at, account_id,
        role = 'customer' AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.login_id = customers.id AND m.removed_at IS NULL) AS removed
        """;
    private const string FindByEmailSql = $"SELECT {Columns} FROM customers WHERE lower(email) = lower(@Email)";
    private const string FindByIdSql = $"SELECT {Columns} FROM customers WHERE id = @Id";
    // An expired (staff) key or a disabled account's key is no key at all; a customer's key works while its membership does.
    private const string FindByApiKeySql = """
        SELECT c.id AS login_id, c.email, c.role, k.account_id
        FROM api_keys k JOIN customers c ON c.id = k.customer_id
        WHERE k.key_hash = @KeyHash AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > @Now) AND c.disabled_at IS NULL
        """;
    private const string InsertOwnerSql = "INSERT INTO memberships (login_id, account_id, role, created_at) VALUES (@Id, @Id, 'owner', @CreatedAt)";
    private const string SetPasswordSql = "UPDATE customers SET password_hash = @PasswordHash WHERE id = @Id";
    private const string ChangePasswordSql = "UPDATE customers SET password_hash = @PasswordHash, tokens_revoked_at = @Now WHERE id = @Id";
    private const string CreatedAtSql = "SELECT created_at FROM customers WHERE id = @Id";
    private const string AccountManagerSql = "SELECT account_manager_id FROM customers WHERE id = @Id";
    private const string OwnerEmailSql = """
        SELECT c.email FROM memberships m JOIN customers c ON c.id = m.login_id
        WHERE m.account_id = @Id AND m.role = 'owner' AND m.removed_at IS NULL
        """;
    private const string RevokeTokensSql = "UPDATE customers SET tokens_revoked_at = @Now WHERE id = @Id";

    /// <summary>Creates the customer with a first API key and the link verifying its address; false when the email is taken (nothing written).</summary>
    public async Task<bool> CreateAsync(CustomerRow customer, byte[] apiKeyHash, string apiKeyPrefix, NewAccountLink verification, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var inserted = await work.ExecuteAsync(InsertCustomerSql, new
        {
            customer.Id, customer.Email, customer.Name, customer.PasswordHash, customer.Role, CreatedAt = now,
        });
        if (inserted == 0) return false;
        if (customer.Role == Roles.Customer) await work.ExecuteAsync(InsertOwnerSql, new { customer.Id, CreatedAt = now });
        await work.ExecuteAsync(InsertApiKeySql, new { Id = Guid.CreateVersion7(), CustomerId = customer.Id, AccountId = customer.Role == Roles.Customer ? customer.Id : (Guid?)null, KeyHash = apiKeyHash, KeyPrefix = apiKeyPrefix, CreatedAt = now });
        await AccountLinks.InsertAsync(work, verification, now);
        await work.CommitAsync(ct);
        return true;
    }

    public async Task<CustomerRow?> FindByEmailAsync(string email, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<CustomerRow>(FindByEmailSql, new { Email = email });
    }

    public async Task<CustomerRow?> FindByIdAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<CustomerRow>(FindByIdSql, new { Id = id });
    }

    public async Task<ApiKeyOwner?> FindByApiKeyAsync(byte[] keyHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyOwner>(FindByApiKeySql, new { KeyHash = keyHash, Now = now });
    }

    /// <summary>The same password hashed with today's work factor (at login, while the password is at hand).</summary>
    public async Task RehashAsync(Guid id, string passwordHash, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(SetPasswordSql, new { Id = id, PasswordHash = passwordHash });
    }

    /// <summary>A new password; every access token issued until now stops working.</summary>
    public async Task ChangePasswordAsync(Guid id, string passwordHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(ChangePasswordSql, new { Id = id, PasswordHash = passwordHash, Now = now });
    }

    /// <summary>Log out everywhere: every access token issued until now stops working (API keys are revoked one by one).</summary>
    public async Task RevokeTokensAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(RevokeTokensSql, new { Id = id, Now = now });
    }

    public async Task<DateTimeOffset> CreatedAtAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<DateTimeOffset>(CreatedAtSql, new { Id = id });
    }

    /// <summary>The address of the account's one owner (after a transfer, no longer the login that opened it); null if none.</summary>
    public async Task<string?> OwnerEmailAsync(Guid accountId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(OwnerEmailSql, new { Id = accountId });
    }

    public async Task<Guid?> AccountManagerAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<Guid?>(AccountManagerSql, new { Id = id });
    }
}
