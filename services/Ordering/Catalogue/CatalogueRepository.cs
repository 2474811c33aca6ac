using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Catalogue;

public sealed record PublishableProduct(string Id, string Name, long MonthlyPriceMinor, string Currency, int DedicatedIps, int SortOrder,
    long? ExtraIpPriceMinor, string Fingerprint);

/// <summary>The catalogue's publication state. Every method runs in the caller's unit of work.</summary>
public static class CatalogueRepository
{
    private const string Select = """
        SELECT id, name, monthly_price_minor, currency, dedicated_ips, sort_order, extra_ip_price_minor,
               md5(concat_ws('|', name, monthly_price_minor, currency, dedicated_ips, sort_order, extra_ip_price_minor)) AS fingerprint
        FROM products
        """;
    // FOR UPDATE: a second replica waits, then re-reads the fingerprint the first one wrote and skips the row.
    public const string ChangedSql = Select + """

        WHERE published_fingerprint IS DISTINCT FROM md5(concat_ws('|', name, monthly_price_minor, currency, dedicated_ips, sort_order, extra_ip_price_minor))
        ORDER BY sort_order, id FOR UPDATE
        """;
    public const string AllSql = Select + "\nORDER BY sort_order, id FOR UPDATE";
    private const string MarkSql = "UPDATE products SET published_fingerprint = @Fingerprint WHERE id = @Id";

    public static async Task<IReadOnlyList<PublishableProduct>> LockAsync(UnitOfWork work, string selectSql) =>
        (await work.QueryAsync<PublishableProduct>(selectSql)).ToList();

    public static Task MarkPublishedAsync(UnitOfWork work, string id, string fingerprint) =>
        work.ExecuteAsync(MarkSql, new { Id = id, Fingerprint = fingerprint });
}
