using Dapper;
using ProMTA.Dns.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

public sealed record PublishedRecord(string Name, string Type, string Zone, Guid ServiceId, string Value);

/// <summary>Every rrset we published, keyed by its owner (the service it was published for).</summary>
public static class PublishedRecords
{
    private const string UpsertSql = """
        INSERT INTO published_records (name, type, zone, service_id, value, published_at)
        VALUES (@Name, @Type, @Zone, @ServiceId, @Value, @PublishedAt)
        ON CONFLICT (name, type) DO UPDATE SET zone = excluded.zone, value = excluded.value,
            published_at = CASE WHEN published_records.value = excluded.value THEN published_records.published_at ELSE excluded.published_at END
        WHERE published_records.service_id = excluded.service_id
        """;
    private const string ForServiceSql = """
        SELECT name, type, zone, service_id, value FROM published_records WHERE service_id = @ServiceId ORDER BY zone, name, type
        """;
    // Keyed by owner too: one service's removal can never delete (or, above, overwrite) another's row.
    private const string DeleteSql = "DELETE FROM published_records WHERE name = @Name AND type = @Type AND service_id = @ServiceId";

    public static async Task SaveAsync(UnitOfWork work, Guid serviceId, string zone, IEnumerable<DnsRecord> records, DateTimeOffset at)
    {
        foreach (var r in records)
        {
            await work.ExecuteAsync(UpsertSql, new { r.Name, r.Type, Zone = zone, ServiceId = serviceId, r.Value, PublishedAt = at });
        }
    }

    public static async Task<IReadOnlyList<PublishedRecord>> ForServiceAsync(UnitOfWork work, Guid serviceId) =>
        (await work.QueryAsync<PublishedRecord>(ForServiceSql, new { ServiceId = serviceId })).ToList();

    public static async Task<IReadOnlyList<PublishedRecord>> ForServiceAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<PublishedRecord>(new CommandDefinition(ForServiceSql, new { ServiceId = serviceId }, cancellationToken: ct))).ToList();
    }

    public static async Task DeleteAsync(UnitOfWork work, IEnumerable<PublishedRecord> records)
    {
        foreach (var r in records) await work.ExecuteAsync(DeleteSql, new { r.Name, r.Type, r.ServiceId });
    }
}
