using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

public static class PtrRecords
{
    private const string UpsertSql = """
        INSERT INTO ptr_records (ip, hostname, service_id, order_id, published_at, propagated_at)
        VALUES (@Ip, @Hostname, @ServiceId, @OrderId, @PublishedAt, @PropagatedAt)
        ON CONFLICT (ip) DO UPDATE SET hostname = excluded.hostname, service_id = excluded.service_id, order_id = excluded.order_id,
            published_at = excluded.published_at, propagated_at = excluded.propagated_at
        """;

    private const string DeleteForServiceSql = "DELETE FROM ptr_records WHERE service_id = @ServiceId";
    private const string DeleteIpsSql = "DELETE FROM ptr_records WHERE service_id = @ServiceId AND ip = ANY(@Ips)";

    public static Task DeleteForServiceAsync(UnitOfWork work, Guid serviceId) => work.ExecuteAsync(DeleteForServiceSql, new { ServiceId = serviceId });

    /// <summary>Forgets some of the service's IPs (released by a plan change).</summary>
    public static Task DeleteAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> ips) =>
        work.ExecuteAsync(DeleteIpsSql, new { ServiceId = serviceId, Ips = ips.ToArray() });

    public static Task SaveAsync(UnitOfWork work, string ip, string hostname, Guid serviceId, Guid orderId, DateTimeOffset publishedAt, DateTimeOffset propagatedAt) =>
        work.ExecuteAsync(UpsertSql, new { Ip = ip, Hostname = hostname, ServiceId = serviceId, OrderId = orderId, PublishedAt = publishedAt, PropagatedAt = propagatedAt });
}
