using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Catalogue;

/// <summary>A product as Billing prices it: the net monthly price and the IPs it includes.</summary>
/// <param name="ExtraIpPriceMinor">The extra dedicated IP add-on's net monthly price per IP; null when the product takes none.</param>
public sealed record BilledProduct(string Id, string Name, long MonthlyPriceMinor, string Currency, int DedicatedIps, int SortOrder, long? ExtraIpPriceMinor);

/// <summary>Billing's copy of Ordering's catalogue (ProductPublished). Every method runs in the caller's unit of work.</summary>
public static class BilledProducts
{
    private const string UpsertSql = """
        INSERT INTO products (id, name, monthly_price_minor, currency, dedicated_ips, sort_order, extra_ip_price_minor, published_at)
        VALUES (@ProductId, @Name, @MonthlyPriceMinor, @Currency, @DedicatedIps, @SortOrder, @ExtraIpMonthlyPriceMinor, @PublishedAt)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, monthly_price_minor = EXCLUDED.monthly_price_minor, currency = EXCLUDED.currency,
            dedicated_ips = EXCLUDED.dedicated_ips, sort_order = EXCLUDED.sort_order, extra_ip_price_minor = EXCLUDED.extra_ip_price_minor,
            published_at = EXCLUDED.published_at
        WHERE products.published_at < EXCLUDED.published_at
        """;
    private const string FindSql = "SELECT id, name, monthly_price_minor, currency, dedicated_ips, sort_order, extra_ip_price_minor FROM products WHERE id = @Id";
    private const string AnySql = "SELECT EXISTS (SELECT 1 FROM products)";

    /// <summary>Keeps the newest version: a late or repeated copy changes nothing.</summary>
    public static Task SaveAsync(UnitOfWork work, ProductPublished product) => work.ExecuteAsync(UpsertSql, product);

    public static Task<BilledProduct?> FindAsync(UnitOfWork work, string id) => work.QuerySingleOrDefaultAsync<BilledProduct>(FindSql, new { Id = id });

    public static async Task<bool> AnyAsync(UnitOfWork work) => await work.ExecuteScalarAsync<bool>(AnySql);
}
