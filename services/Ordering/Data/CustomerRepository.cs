using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record CustomerRow(Guid Id, string Email, string Name, string PasswordHash, string Role);

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
    private const string FindByEmailSql = """
        SELECT id, email, name, password_hash, role FROM customers WHERE lower(email) = lower(@Email)
        """;
    private const string FindByIdSql = "SELECT id, email, name, password_hash, role FROM customers WHERE id = @Id";
    private const string FindByApiKeySql = """
        SELECT c.id, c.email, c.name, c.password_hash, c.role
        FROM api_keys k JOIN customers c ON c.id = k.customer_id
        WHERE k.key_hash = @KeyHash AND k.revoked_at IS NULL
        """;

    /// <summary>Creates the customer with a first API key; false when the email is taken (nothing written).</summary>
    public async Task<bool> CreateAsync(CustomerRow customer, byte[] apiKeyHash, string apiKeyPrefix, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var inserted = await work.ExecuteAsync(InsertCustomerSql, new
        {
            customer.Id, customer.Email, customer.Name, customer.PasswordHash, customer.Role, CreatedAt = now,
        });
        if (inserted == 0) return false;
        await work.ExecuteAsync(InsertApiKeySql, new { Id = Guid.CreateVersion7(), CustomerId = customer.Id, KeyHash = apiKeyHash, KeyPrefix = apiKeyPrefix, CreatedAt = now });
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

    public async Task<CustomerRow?> FindByApiKeyAsync(byte[] keyHash, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<CustomerRow>(FindByApiKeySql, new { KeyHash = keyHash });
    }
}
