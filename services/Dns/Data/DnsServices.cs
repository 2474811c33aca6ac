using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

// Settable properties, not a positional record: Dapper's constructor matching does not apply type handlers (timestamptz).
public sealed class DnsService
{
    public Guid ServiceId { get; init; }
    public Guid? CustomerId { get; init; }
    public Guid? OrderId { get; init; }
    public string[] Ips { get; init; } = [];
}

public static class DnsServices
{
    private const string Columns = """
        service_id, customer_id, order_id, ips
        """;
    private const string ClaimDriftDueSql = $"""
        SELECT {Columns} FROM services
        WHERE decommissioned_at IS NULL AND COALESCE(drift_checked_at, '-infinity') <= @Before
        ORDER BY COALESCE(drift_checked_at, '-infinity') LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;
    private const string DriftCheckedSql = "UPDATE services SET drift_checked_at = @Now WHERE service_id = @ServiceId";
    private const string OwnerSql = """
        INSERT INTO services (service_id, customer_id, order_id) VALUES (@ServiceId, @CustomerId, @OrderId)
        ON CONFLICT (service_id) DO UPDATE SET customer_id = excluded.customer_id, order_id = excluded.order_id
        """;
    private const string SetIpsSql = """
        INSERT INTO services (service_id, ips) VALUES (@ServiceId, @Ips)
        ON CONFLICT (service_id) DO UPDATE SET ips = excluded.ips
        """;
    private const string FindSql = $"""
        SELECT {Columns} FROM services
        WHERE service_id = @ServiceId AND decommissioned_at IS NULL
        """;
    private const string FindOwnedSql = $"""
        SELECT {Columns} FROM services
        WHERE service_id = @ServiceId AND customer_id = @CustomerId
        """;
    private const string DecommissionSql = "UPDATE services SET decommissioned_at = @At WHERE service_id = @ServiceId AND decommissioned_at IS NULL";

    public static Task AddOwnerAsync(UnitOfWork work, Guid serviceId, Guid customerId, Guid orderId) =>
        work.ExecuteAsync(OwnerSql, new { ServiceId = serviceId, CustomerId = customerId, OrderId = orderId });

    public static Task SetIpsAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> ips) =>
        work.ExecuteAsync(SetIpsSql, new { ServiceId = serviceId, Ips = ips.ToArray() });

    public static Task<DnsService?> FindAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<DnsService>(FindSql, new { ServiceId = serviceId });

    public static Task DecommissionAsync(UnitOfWork work, Guid serviceId, DateTimeOffset at) =>
        work.ExecuteAsync(DecommissionSql, new { ServiceId = serviceId, At = at });

    /// <summary>Live services whose records were last compared with DNS before <paramref name="before"/> (or never).</summary>
    public static async Task<IReadOnlyList<DnsService>> ClaimDriftDueAsync(UnitOfWork work, DateTimeOffset before, int limit) =>
        (await work.QueryAsync<DnsService>(ClaimDriftDueSql, new { Before = before, Limit = limit })).ToList();

    public static Task MarkDriftCheckedAsync(UnitOfWork work, Guid serviceId, DateTimeOffset now) =>
        work.ExecuteAsync(DriftCheckedSql, new { ServiceId = serviceId, Now = now });

    /// <summary>The service if <paramref name="customerId"/> owns it; another customer's service is indistinguishable from none.</summary>
    public static async Task<DnsService?> FindOwnedAsync(Database db, Guid serviceId, Guid customerId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DnsService>(
            new CommandDefinition(FindOwnedSql, new { ServiceId = serviceId, CustomerId = customerId }, cancellationToken: ct));
    }
}
