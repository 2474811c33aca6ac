using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

/// <summary>Customer zones by the service that created them; a zone has one owner, and only its owner writes or deletes it.</summary>
public static class HostedZones
{
    private const string ClaimSql = """
        INSERT INTO hosted_zones (zone, service_id, created_at) VALUES (@Zone, @ServiceId, @Now) ON CONFLICT (zone) DO NOTHING;
        SELECT service_id FROM hosted_zones WHERE zone = @Zone
        """;
    private const string ForServiceSql = "SELECT zone FROM hosted_zones WHERE service_id = @ServiceId";
    private const string DeleteSql = "DELETE FROM hosted_zones WHERE zone = @Zone AND service_id = @ServiceId";

    /// <summary>Records the service as the zone's owner unless it has one; true when the service owns it.</summary>
    public static async Task<bool> TryOwnAsync(UnitOfWork work, string zone, Guid serviceId, DateTimeOffset now) =>
        await work.ExecuteScalarAsync<Guid>(ClaimSql, new { Zone = zone, ServiceId = serviceId, Now = now }) == serviceId;

    public static async Task<IReadOnlyList<string>> ForServiceAsync(UnitOfWork work, Guid serviceId) =>
        (await work.QueryAsync<string>(ForServiceSql, new { ServiceId = serviceId })).ToList();

    public static Task DeleteAsync(UnitOfWork work, string zone, Guid serviceId) => work.ExecuteAsync(DeleteSql, new { Zone = zone, ServiceId = serviceId });
}
