using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

// Settable properties, not a positional record: Dapper's constructor matching does not apply type handlers (timestamptz).
public sealed class DnsService
{
    public Guid ServiceId { get; init; }
    public Guid? CustomerId { get; init; }
    public Guid? OrderId { get; init; }
    public string? SendingDomain { get; init; }
    public string[] Ips { get; init; } = [];
    public DateTimeOffset? DomainVerifiedAt { get; init; }
}

public static class DnsServices
{
    private const string OwnerSql = """
        INSERT INTO services (service_id, customer_id, order_id) VALUES (@ServiceId, @CustomerId, @OrderId)
        ON CONFLICT (service_id) DO UPDATE SET customer_id = excluded.customer_id, order_id = excluded.order_id
        """;
    private const string DomainTakenSql = """
        SELECT EXISTS (SELECT 1 FROM services WHERE sending_domain = @Domain AND service_id <> @ServiceId AND decommissioned_at IS NULL)
        """;
    private const string SetDomainSql = "UPDATE services SET sending_domain = @Domain WHERE service_id = @ServiceId";
    private const string SetIpsSql = """
        INSERT INTO services (service_id, ips) VALUES (@ServiceId, @Ips)
        ON CONFLICT (service_id) DO UPDATE SET ips = excluded.ips
        """;
    private const string FindSql = """
        SELECT service_id, customer_id, order_id, sending_domain, ips, domain_verified_at FROM services
        WHERE service_id = @ServiceId AND decommissioned_at IS NULL
        """;
    private const string FindOwnedSql = """
        SELECT service_id, customer_id, order_id, sending_domain, ips, domain_verified_at FROM services
        WHERE service_id = @ServiceId AND customer_id = @CustomerId
        """;
    private const string DecommissionSql = "UPDATE services SET decommissioned_at = @At WHERE service_id = @ServiceId AND decommissioned_at IS NULL";

    public static Task AddOwnerAsync(UnitOfWork work, Guid serviceId, Guid customerId, Guid orderId) =>
        work.ExecuteAsync(OwnerSql, new { ServiceId = serviceId, CustomerId = customerId, OrderId = orderId });

    public static async Task<bool> TrySetDomainAsync(UnitOfWork work, Guid serviceId, string domain)
    {
        if (await work.ExecuteScalarAsync<bool>(DomainTakenSql, new { ServiceId = serviceId, Domain = domain })) return false;
        await work.ExecuteAsync(SetDomainSql, new { ServiceId = serviceId, Domain = domain });
        return true;
    }

    public static Task SetIpsAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> ips) =>
        work.ExecuteAsync(SetIpsSql, new { ServiceId = serviceId, Ips = ips.ToArray() });

    public static Task<DnsService?> FindAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<DnsService>(FindSql, new { ServiceId = serviceId });

    public static Task DecommissionAsync(UnitOfWork work, Guid serviceId, DateTimeOffset at) =>
        work.ExecuteAsync(DecommissionSql, new { ServiceId = serviceId, At = at });

    /// <summary>The service if <paramref name="customerId"/> owns it; another customer's service is indistinguishable from none.</summary>
    public static async Task<DnsService?> FindOwnedAsync(Database db, Guid serviceId, Guid customerId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DnsService>(
            new CommandDefinition(FindOwnedSql, new { ServiceId = serviceId, CustomerId = customerId }, cancellationToken: ct));
    }
}
