using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Data;

public sealed record ProductRow(string Id, string Name, string Description, long MonthlyPriceMinor, string Currency, int DedicatedIps);

public sealed class ProductRepository(Database db)
{
    private const string Columns = "id, name, description, monthly_price_minor, currency, dedicated_ips";
    private const string ListSql = $"SELECT {Columns} FROM products ORDER BY sort_order, id";
    private const string FindSql = $"SELECT {Columns} FROM products WHERE id = @Id";

    public async Task<IReadOnlyList<ProductRow>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<ProductRow>(ListSql)).ToList();
    }

    public async Task<ProductRow?> FindAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ProductRow>(FindSql, new { Id = id });
    }
}
