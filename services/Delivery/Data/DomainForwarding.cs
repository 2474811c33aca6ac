using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>Where ordinary mail to a hosted domain is forwarded: one address per service and domain, set by the customer.</summary>
public static class DomainForwarding
{
    private const string SetSql = """
        INSERT INTO domain_forwarding (service_id, domain, address, updated_at) VALUES (@ServiceId, @Domain, @Address, @Now)
        ON CONFLICT (service_id, domain) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at
        """;

    private const string RemoveSql = "DELETE FROM domain_forwarding WHERE service_id = @ServiceId AND domain = @Domain";

    private const string FindSql = "SELECT address FROM domain_forwarding WHERE service_id = @ServiceId AND domain = @Domain";

    public static async Task SetAsync(Database db, Guid serviceId, string domain, string address, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(SetSql, new { ServiceId = serviceId, Domain = Normalize(domain), Address = address, Now = now }, cancellationToken: ct));
    }

    public static async Task<bool> RemoveAsync(Database db, Guid serviceId, string domain, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(RemoveSql, new { ServiceId = serviceId, Domain = Normalize(domain) }, cancellationToken: ct)) > 0;
    }

    /// <summary>Read in the transaction that stores the message, so the forward goes where the setting says at that moment.</summary>
    public static Task<string?> FindAsync(UnitOfWork work, Guid serviceId, string domain) =>
        work.QuerySingleOrDefaultAsync<string>(FindSql, new { ServiceId = serviceId, Domain = Normalize(domain) });

    public static string Normalize(string domain) => domain.Trim().TrimEnd('.').ToLowerInvariant();
}
