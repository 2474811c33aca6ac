using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <summary>Which account manager serves which customer, as Ordering assigns them.</summary>
public static class AccountManagerRepository
{
    // A late, older assignment never replaces a newer one.
    private const string AssignSql = """
        INSERT INTO account_managers (customer_id, account_manager_id, assigned_at, email) VALUES (@CustomerId, @AccountManagerId, @AssignedAt, @Email)
        ON CONFLICT (customer_id) DO UPDATE SET account_manager_id = excluded.account_manager_id, assigned_at = excluded.assigned_at, email = excluded.email
        WHERE account_managers.assigned_at < excluded.assigned_at
        """;
    private const string ServesSql = """
        SELECT EXISTS (SELECT 1 FROM account_managers WHERE customer_id = @CustomerId AND account_manager_id = @AccountManagerId)
        """;

    public static Task AssignAsync(UnitOfWork work, Guid customerId, Guid accountManagerId, DateTimeOffset assignedAt, string? email) =>
        work.ExecuteAsync(AssignSql, new { CustomerId = customerId, AccountManagerId = accountManagerId, AssignedAt = assignedAt, Email = email });

    /// <summary>May this staff member act for the customer? Operators (scope null) always; an account manager for their own customers.</summary>
    public static async Task<bool> InScopeAsync(UnitOfWork work, Guid? accountManagerScope, Guid customerId) =>
        accountManagerScope is not { } manager
        || await work.ExecuteScalarAsync<bool>(ServesSql, new { CustomerId = customerId, AccountManagerId = manager });
}
