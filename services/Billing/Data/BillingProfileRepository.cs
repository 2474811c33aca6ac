using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

public sealed record BillingProfile(
    string Company, string AddressLine1, string? AddressLine2, string PostalCode, string City, string Country, string? VatId,
    string BillingEmail, DateTimeOffset UpdatedAt);

/// <summary>The customer's billing profile (who invoices are made out to) and the account holder's name and address.</summary>
public static class BillingProfileRepository
{
    private const string Columns = "company, address_line1, address_line2, postal_code, city, country, vat_id, billing_email, updated_at";
    private const string FindSql = $"SELECT {Columns} FROM billing_profiles WHERE customer_id = @CustomerId";
    private const string SaveSql = """
        INSERT INTO billing_profiles (customer_id, company, address_line1, address_line2, postal_code, city, country, vat_id, billing_email, updated_at)
        VALUES (@CustomerId, @Company, @AddressLine1, @AddressLine2, @PostalCode, @City, @Country, @VatId, @BillingEmail, @UpdatedAt)
        ON CONFLICT (customer_id) DO UPDATE SET company = excluded.company, address_line1 = excluded.address_line1,
            address_line2 = excluded.address_line2, postal_code = excluded.postal_code, city = excluded.city, country = excluded.country,
            vat_id = excluded.vat_id, billing_email = excluded.billing_email, updated_at = excluded.updated_at
        """;
    private const string HolderSql = "SELECT name, email FROM billing_accounts WHERE customer_id = @CustomerId";
    private const string SetHolderNameSql = "UPDATE billing_accounts SET name = @Name WHERE customer_id = @CustomerId";

    public static async Task<BillingProfile?> FindAsync(Database db, Guid customerId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<BillingProfile>(FindSql, new { CustomerId = customerId });
    }

    public static Task<BillingProfile?> FindAsync(UnitOfWork work, Guid customerId) =>
        work.QuerySingleOrDefaultAsync<BillingProfile>(FindSql, new { CustomerId = customerId });

    public static Task SaveAsync(UnitOfWork work, Guid customerId, BillingProfile profile) =>
        work.ExecuteAsync(SaveSql, new
        {
            CustomerId = customerId, profile.Company, profile.AddressLine1, profile.AddressLine2, profile.PostalCode, profile.City,
            profile.Country, profile.VatId, profile.BillingEmail, profile.UpdatedAt,
        });

    /// <summary>The account holder as the latest order named them, for customers without a billing profile.</summary>
    public static Task<(string? Name, string? Email)> FindHolderAsync(UnitOfWork work, Guid customerId) =>
        work.QuerySingleOrDefaultAsync<(string? Name, string? Email)>(HolderSql, new { CustomerId = customerId });

    public static Task SetHolderNameAsync(UnitOfWork work, Guid customerId, string name) =>
        work.ExecuteAsync(SetHolderNameSql, new { CustomerId = customerId, Name = name });
}
