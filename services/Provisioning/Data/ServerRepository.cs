using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Data;

public sealed record ServerRow(string Id, Guid ServiceId, Guid OrderId, string Hostname, string[] Ips, DateTimeOffset SetupDeadline, DateTimeOffset ProvisionedAt);

/// <summary>A server not decommissioned, with its IPs in hostname order (init properties: Dapper reads text[] into them).</summary>
public sealed record LiveServer
{
    public string Id { get; init; } = "";
    public string Hostname { get; init; } = "";
    public string[] Ips { get; init; } = [];
}

public static class ServerRepository
{
    private const string InsertSql = """
        INSERT INTO servers (id, service_id, order_id, hostname, ips, setup_deadline, provisioned_at)
        VALUES (@Id, @ServiceId, @OrderId, @Hostname, @Ips, @SetupDeadline, @ProvisionedAt)
        """;

    private const string LiveSql = """
        SELECT id FROM servers WHERE service_id = @ServiceId AND decommissioned_at IS NULL FOR UPDATE
        """;
    private const string LiveWithIpsSql = """
        SELECT id, hostname, ips FROM servers WHERE service_id = @ServiceId AND decommissioned_at IS NULL FOR UPDATE
        """;
    private const string SetIpsSql = "UPDATE servers SET ips = @Ips WHERE id = @Id";
    private const string DecommissionSql = "UPDATE servers SET decommissioned_at = @At WHERE id = @Id";

    /// <summary>The id of the service's server unless it is already decommissioned (locked for the caller's transaction).</summary>
    public static Task<string?> FindLiveForUpdateAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<string>(LiveSql, new { ServiceId = serviceId });

    /// <summary>The service's live server with its IPs in the order their hostnames are numbered (locked for the caller's transaction).</summary>
    public static Task<LiveServer?> FindLiveWithIpsForUpdateAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<LiveServer>(LiveWithIpsSql, new { ServiceId = serviceId });

    public static Task SetIpsAsync(UnitOfWork work, string id, IReadOnlyList<string> ips) => work.ExecuteAsync(SetIpsSql, new { Id = id, Ips = ips.ToArray() });

    public static Task MarkDecommissionedAsync(UnitOfWork work, string id, DateTimeOffset at) =>
        work.ExecuteAsync(DecommissionSql, new { Id = id, At = at });

    public static Task AddAsync(UnitOfWork work, ServerRow server) => work.ExecuteAsync(InsertSql, server);
}
