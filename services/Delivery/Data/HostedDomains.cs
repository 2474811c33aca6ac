using Dapper;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Domains;

namespace ProMTA.Delivery.Data;

/// <summary>
/// The domains our inbound MX accepts mail for, and the addresses their MX records point at: a domain is hosted while
/// it is verified (delegated to our nameservers, so Dns publishes its MX) for a service that has not ended. A staff
/// grant lets a service send as a domain but does not make us its MX.
/// </summary>
public static class HostedDomains
{
    // Newest first: a domain that moved from an ended service to a live one belongs to the live one.
    private const string ServiceOfSql = """
        SELECT d.service_id FROM sending_domains d
        JOIN relay_accounts a ON a.service_id = d.service_id AND a.status <> 'Ended'
        WHERE d.domain = @Domain AND d.source = @Verified
        ORDER BY d.added_at DESC
        LIMIT 1
        """;

    // mta1.<domain> (the MX) and mtaN.<domain> are A records of the service's dedicated IPs (Dns SendingDomainRecords).
    private const string MxAddressesSql = """
        SELECT DISTINCT ip FROM relay_accounts a, unnest(a.source_ips) AS ip
        WHERE a.status <> 'Ended' AND EXISTS (SELECT 1 FROM sending_domains d WHERE d.service_id = a.service_id AND d.source = @Verified)
        ORDER BY ip
        """;

    private const string OfServicesSql = """
        SELECT service_id, domain FROM sending_domains WHERE service_id = ANY(@ServiceIds) AND source = @Verified
        """;

    /// <summary>The domains each service hosts (our MX receives their mail): where its VERP return paths can live.</summary>
    public static async Task<ILookup<Guid, string>> OfServicesAsync(Database db, IEnumerable<Guid> serviceIds, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(Guid ServiceId, string Domain)>(new CommandDefinition(OfServicesSql,
            new { ServiceIds = serviceIds.ToArray(), Verified = SendingDomainSource.Verified }, cancellationToken: ct));
        return rows.ToLookup(r => r.ServiceId, r => r.Domain);
    }

    /// <summary>The live service that hosts <paramref name="domain"/>, or null: mail for it is refused.</summary>
    public static async Task<Guid?> ServiceOfAsync(Database db, string domain, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(ServiceOfSql,
            new { Domain = DomainName.Normalize(domain) ?? "", Verified = SendingDomainSource.Verified }, cancellationToken: ct));
    }

    /// <summary>The dedicated IPs hosted domains' MX records point at: where the inbound MX listens on Inbound:DedicatedIpPort.</summary>
    public static async Task<IReadOnlyList<string>> MxAddressesAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(MxAddressesSql, new { Verified = SendingDomainSource.Verified }, cancellationToken: ct))];
    }
}
