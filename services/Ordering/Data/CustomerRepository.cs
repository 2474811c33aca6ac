using Dapper;
using ProMTA.Ordering.Accounts;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record CustomerRow(
    Guid Id, string Email, string Name, string PasswordHash, string Role, DateTimeOffset? TokensRevokedAt = null, DateTimeOffset? DisabledAt = null,
    DateTimeOffset? EmailVerifiedAt = null, Guid? AccountId = null, string? TeamRole = null, DateTimeOffset? RemovedAt = null)
{
    public bool IsDisabled => DisabledAt is not null;

    /// <summary>A team member removed from their account: no login, no token, no key of theirs works.</summary>
    public bool IsRemoved => RemovedAt is not null;

    /// <summary>
    /// Who this login acts as: a member acts for their account in their role; a customer's own login is its account's
    /// owner; staff are no team's members.
    /// </summary>
    public Caller AsCaller() => AccountId is { } account
        ? new Caller(account, Role, Id, TeamRole, Email)
        : Role == Roles.Customer ? new Caller(Id, Role, Id, TeamRoles.Owner, Email) : new Caller(Id, Role);
}

public sealed class CustomerRepository(Database db)
{
    private const string InsertCustomerSql = """
        INSERT INTO customers (id, email, name, password_hash, role, created_at)
        VALUES (@Id, @Email, @Name, @PasswordHash, @Role, @CreatedAt)
        ON CONFLICT DO NOTHING
        """;
    private const string InsertApiKeySql = """
        INSERT INTO api_keys (id, customer_id, key_hash, key_prefix, created_at) VALUES (@Id, @CustomerId, @KeyHash, @KeyPrefix, @CreatedAt)
        """;
    private const string Columns = "id, email, name, password_hash, role, tokens_revoked_at, disabled_at, email_verified_at, account_id, team_role, removed_at";
    private const string FindByEmailSql = $"SELECT {Columns} FROM customers WHERE lower(email) = lower(@Email)";
    private const string FindByIdSql = $"SELECT {Columns} FROM customers WHERE id = @Id";
    // An expired (staff) key or a disabled account's key is no key at all.
    private const string FindByApiKeySql = """
        SELECT c.id, c.email, c.name, c.password_hash, c.role, c.tokens_revoked_at, c.disabled_at, c.email_verified_at,
               c.account_id, c.team_role, c.removed_at
        FROM api_keys k JOIN customers c ON c.id = k.customer_id
        WHERE k.key_hash = @KeyHash AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > @Now)
          AND c.disabled_at IS NULL AND c.removed_at IS NULL
        """;
    private const string SetPasswordSql = "UPDATE customers SET password_hash = @PasswordHash WHERE id = @Id";
    private const string ChangePasswordSql = "UPDATE customers SET password_hash = @PasswordHash, tokens_revoked_at = @Now WHERE id = @Id";
    private const string CreatedAtSql = "SELECT created_at FROM customers WHERE id = @Id";
    private const string AccountManagerSql = "SELECT account_manager_id FROM customers WHERE id = @Id";
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
        await work.ExecuteAsync(InsertApiKeySql, new { Id = Guid.CreateVersion7(), CustomerId = customer.Id, KeyHash = apiKeyHash, KeyPrefix = apiKeyPrefix, CreatedAt = now });
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

    public async Task<CustomerRow?> FindByApiKeyAsync(byte[] keyHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<CustomerRow>(FindByApiKeySql, new { KeyHash = keyHash, Now = now });
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

    public async Task<Guid?> AccountManagerAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<Guid?>(AccountManagerSql, new { Id = id });
    }
}
