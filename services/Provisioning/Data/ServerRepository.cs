using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Data;

public sealed record ServerRow(string Id, Guid ServiceId, Guid OrderId, string Hostname, string[] Ips, DateTimeOffset SetupDeadline, DateTimeOffset ProvisionedAt);

public static class ServerRepository
{
    private const string InsertSql = """
        INSERT INTO servers (id, service_id, order_id, hostname, ips, setup_deadline, provisioned_at)
        VALUES (@Id, @ServiceId, @OrderId, @Hostname, @Ips, @SetupDeadline, @ProvisionedAt)
        """;

    public static Task AddAsync(UnitOfWork work, ServerRow server) => work.ExecuteAsync(InsertSql, server);
}
