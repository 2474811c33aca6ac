using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

public static class RelayAccounts
{
    private const string InsertSql = """
        INSERT INTO relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
        VALUES (@ServiceId, @OrderId, @Username, @SourceIps, 'Active', @ActivatedAt)
        ON CONFLICT (service_id) DO NOTHING
        """;

    public static Task CreateAsync(UnitOfWork work, Guid serviceId, Guid orderId, string username, string[] sourceIps, DateTimeOffset activatedAt) =>
        work.ExecuteAsync(InsertSql, new { ServiceId = serviceId, OrderId = orderId, Username = username, SourceIps = sourceIps, ActivatedAt = activatedAt });
}
