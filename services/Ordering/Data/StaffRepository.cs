using Dapper;
using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record CustomerSummary(Guid Id, string Email, string Name, Guid? AccountManagerId, long Services, DateTimeOffset CreatedAt);

/// <summary>What staff see and change: customers (all for operators, their own for account managers) and the catalog.</summary>
public sealed class StaffRepository(Database db)
{
    // @AccountManagerId NULL: an operator's view of every customer. account_id IS NULL: accounts, not their team members' logins.
    private const string CustomersSql = """
        SELECT c.id,
            -- The account's address is its owner's: after a hand-over, the new owner's, not the founder's login.
            COALESCE((SELECT o.email FROM memberships m JOIN customers o ON o.id = m.login_id
                      WHERE m.account_id = c.id AND m.role = 'owner' AND m.removed_at IS NULL), c.email) AS email,
            c.name, c.account_manager_id, (SELECT count(*) FROM services s WHERE s.customer_id = c.id) AS services, c.created_at
        FROM customers c
        WHERE c.role = 'customer' AND c.account_id IS NULL AND (@AccountManagerId::uuid IS NULL OR c.account_manager_id = @AccountManagerId)
        ORDER BY c.created_at DESC, c.id LIMIT @Limit OFFSET @Offset
        """;
    private const string CustomersCountSql = """
        SELECT count(*) FROM customers c WHERE c.role = 'customer' AND c.account_id IS NULL AND (@AccountManagerId::uuid IS NULL OR c.account_manager_id = @AccountManagerId)
        """;
    private const string AssignSql = """
        UPDATE customers c SET account_manager_id = m.id
        FROM customers m
        WHERE c.id = @CustomerId AND c.role = 'customer' AND c.account_id IS NULL AND m.id = @AccountManagerId AND m.role = 'account-manager'
        RETURNING m.email
        """;
    private const string InsertStaffSql = """
        INSERT INTO customers (id, email, name, password_hash, role, created_at, email_verified_at) VALUES (@Id, @Email, @Name, @PasswordHash, @Role, @CreatedAt, @CreatedAt)
        ON CONFLICT DO NOTHING
        """;
    private const string SetDisabledSql = "UPDATE customers SET disabled_at = @DisabledAt WHERE id = @Id AND role <> 'customer'";
    private const string UpdateProductSql = """
        UPDATE products SET name = @Name, description = @Description, monthly_price_minor = @MonthlyPriceMinor, currency = @Currency,
                            dedicated_ips = @DedicatedIps
        WHERE id = @Id
        """;

    public async Task<(IReadOnlyList<CustomerSummary> Items, long Total)> CustomersAsync(Guid? accountManagerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<CustomerSummary>(CustomersSql,
            new { AccountManagerId = accountManagerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(CustomersCountSql, new { AccountManagerId = accountManagerId }));
    }

    /// <summary>False when the customer or the account manager does not exist. Billing learns it from AccountManagerAssigned.</summary>
    public async Task<bool> AssignAsync(Guid customerId, Guid accountManagerId, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var managerEmail = await work.QuerySingleOrDefaultAsync<string>(AssignSql, new { CustomerId = customerId, AccountManagerId = accountManagerId });
        if (managerEmail is null) return false;
        await work.PublishAsync(new AccountManagerAssigned { CustomerId = customerId, AccountManagerId = accountManagerId, AssignedAt = now, AccountManagerEmail = managerEmail });
        await work.CommitAsync(ct);
        return true;
    }

    /// <summary>Disables (a time) or enables (null) a staff account; false when there is no such staff account.</summary>
    public async Task<bool> SetDisabledAsync(Guid staffId, DateTimeOffset? disabledAt, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(SetDisabledSql, new { Id = staffId, DisabledAt = disabledAt }) == 1;
    }

    /// <summary>False when the email is taken.</summary>
    public async Task<bool> AddStaffAsync(CustomerRow staff, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(InsertStaffSql, new { staff.Id, staff.Email, staff.Name, staff.PasswordHash, staff.Role, CreatedAt = now }) == 1;
    }

    /// <summary>Changes the catalog for new orders; services already ordered keep the price they were sold at.</summary>
    public async Task<bool> UpdateProductAsync(ProductRow product, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(UpdateProductSql, product) == 1;
    }
}
