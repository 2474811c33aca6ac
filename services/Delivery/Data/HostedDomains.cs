using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// The domains our inbound MX accepts mail for, and the addresses their MX records point at. Today a domain is hosted
/// when a service signs for it (its DKIM key's domain) and the service has not ended; the per-service verified-domains
/// table replaces this query when it lands: callers only know these two methods.
/// </summary>
public static class HostedDomains
{
    // Newest key first: a domain that moved from an ended service to a live one belongs to the live one.
    private const string ServiceOfSql = """
        SELECT k.service_id FROM dkim_keys k
        JOIN relay_accounts a ON a.service_id = k.service_id AND a.status <> 'Ended'
        WHERE lower(rtrim(k.domain, '.')) = @Domain
        ORDER BY k.published_at DESC
        LIMIT 1
        """;

    // mta1.<domain> (the MX) and mtaN.<domain> are A records of the service's dedicated IPs (Dns SendingDomainRecords).
    private const string MxAddressesSql = """
        SELECT DISTINCT ip FROM relay_accounts a, unnest(a.source_ips) AS ip
        WHERE a.status <> 'Ended' AND EXISTS (SELECT 1 FROM dkim_keys k WHERE k.service_id = a.service_id)
        ORDER BY ip
        """;

    /// <summary>The live service that hosts <paramref name="domain"/>, or null: mail for it is refused.</summary>
    public static async Task<Guid?> ServiceOfAsync(Database db, string domain, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(ServiceOfSql,
            new { Domain = domain.TrimEnd('.').ToLowerInvariant() }, cancellationToken: ct));
    }

    /// <summary>The dedicated IPs hosted domains' MX records point at: where the inbound MX listens on Inbound:DedicatedIpPort.</summary>
    public static async Task<IReadOnlyList<string>> MxAddressesAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(MxAddressesSql, cancellationToken: ct))];
    }
}
