using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

// Settable properties, not a positional record: Dapper's constructor matching does not apply type handlers (timestamptz).
/// <summary>One sending domain a service hosts with us, with its delegation state.</summary>
public sealed class HostedDomain
{
    public string Domain { get; init; } = "";
    public Guid ServiceId { get; init; }
    public Guid? OrderId { get; init; }
    /// <summary>When the delegation was seen, while it is; null when not delegated (yet, or any more).</summary>
    public DateTimeOffset? DelegatedAt { get; init; }
    public string[] DelegationSeen { get; init; } = [];
    public DateTimeOffset? DelegationCheckedAt { get; init; }
    public int DelegationAttempts { get; init; }
    /// <summary>The customer's choice (none, quarantine, reject); null until they choose.</summary>
    public string? DmarcPolicy { get; init; }
}

/// <summary>The sending domains hosted for each live service: one row per domain, one service per domain.</summary>
public static class SendingDomains
{
    private const string Columns = """
        d.domain, d.service_id, s.order_id, d.delegated_at, d.delegation_seen, d.delegation_checked_at, d.delegation_attempts, d.dmarc_policy
        """;
    private const string AddSql = """
        INSERT INTO sending_domains (domain, service_id, added_at) VALUES (@Domain, @ServiceId, @Now) ON CONFLICT (domain) DO NOTHING;
        SELECT service_id FROM sending_domains WHERE domain = @Domain
        """;
    private const string RemoveSql = "DELETE FROM sending_domains WHERE service_id = @ServiceId AND domain = @Domain";
    private const string RemoveForServiceSql = "DELETE FROM sending_domains WHERE service_id = @ServiceId";
    private const string ForServiceSql = $"""
        SELECT {Columns} FROM sending_domains d JOIN services s ON s.service_id = d.service_id
        WHERE d.service_id = @ServiceId ORDER BY d.added_at, d.domain
        """;
    // Domains whose next delegation check is due (delegated ones too, less often: a customer may move away);
    // SKIP LOCKED so replicas share them.
    private const string ClaimDelegationDueSql = $"""
        SELECT {Columns} FROM sending_domains d JOIN services s ON s.service_id = d.service_id
        WHERE s.decommissioned_at IS NULL AND COALESCE(d.delegation_next_check_at, '-infinity') <= @Now
        ORDER BY COALESCE(d.delegation_next_check_at, '-infinity') LIMIT @Limit FOR UPDATE OF d SKIP LOCKED
        """;
    private const string RecordDelegationSql = """
        UPDATE sending_domains SET delegation_seen = @Seen, delegation_checked_at = @Now, delegation_next_check_at = @NextCheckAt,
            delegation_attempts = CASE WHEN @ToUs THEN 0 ELSE delegation_attempts + 1 END,
            delegated_at = CASE WHEN @ToUs THEN COALESCE(delegated_at, @Now) END
        WHERE domain = @Domain
        """;
    // Delegated domains waiting for DomainPublication, oldest first; SKIP LOCKED so replicas share them.
    private const string ClaimPublicationDueSql = $"""
        SELECT {Columns} FROM sending_domains d JOIN services s ON s.service_id = d.service_id
        WHERE d.publication_due_at <= @Now AND s.decommissioned_at IS NULL
        ORDER BY d.publication_due_at LIMIT @Limit FOR UPDATE OF d SKIP LOCKED
        """;
    private const string QueuePublicationSql = "UPDATE sending_domains SET publication_due_at = @Now WHERE domain = @Domain";
    private const string PublicationDoneSql = "UPDATE sending_domains SET publication_due_at = NULL WHERE domain = @Domain";
    private const string DmarcSql = "UPDATE sending_domains SET dmarc_policy = @Policy WHERE service_id = @ServiceId AND domain = @Domain";

    /// <summary>Hosts <paramref name="domain"/> for the service unless another service hosts it; true when this service does.</summary>
    public static async Task<bool> TryAddAsync(UnitOfWork work, Guid serviceId, string domain, DateTimeOffset now) =>
        await work.ExecuteScalarAsync<Guid>(AddSql, new { ServiceId = serviceId, Domain = domain, Now = now }) == serviceId;

    public static Task RemoveAsync(UnitOfWork work, Guid serviceId, string domain) => work.ExecuteAsync(RemoveSql, new { ServiceId = serviceId, Domain = domain });

    public static Task RemoveForServiceAsync(UnitOfWork work, Guid serviceId) => work.ExecuteAsync(RemoveForServiceSql, new { ServiceId = serviceId });

    public static async Task<IReadOnlyList<HostedDomain>> ForServiceAsync(UnitOfWork work, Guid serviceId) =>
        (await work.QueryAsync<HostedDomain>(ForServiceSql, new { ServiceId = serviceId })).ToList();

    public static async Task<IReadOnlyList<HostedDomain>> ForServiceAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<HostedDomain>(new CommandDefinition(ForServiceSql, new { ServiceId = serviceId }, cancellationToken: ct))).ToList();
    }

    public static async Task<IReadOnlyList<HostedDomain>> ClaimDelegationDueAsync(UnitOfWork work, DateTimeOffset now, int limit) =>
        (await work.QueryAsync<HostedDomain>(ClaimDelegationDueSql, new { Now = now, Limit = limit })).ToList();

    /// <summary>Keeps what was seen; delegated keeps the first time it was seen, not delegated clears it.</summary>
    public static Task RecordDelegationAsync(UnitOfWork work, string domain, IReadOnlyList<string> seen, bool toUs, DateTimeOffset now, DateTimeOffset nextCheckAt) =>
        work.ExecuteAsync(RecordDelegationSql, new { Domain = domain, Seen = seen.ToArray(), ToUs = toUs, Now = now, NextCheckAt = nextCheckAt });

    /// <summary>Queues the domain's records for DomainPublication (its delegation was just seen).</summary>
    public static Task QueuePublicationAsync(UnitOfWork work, string domain, DateTimeOffset now) =>
        work.ExecuteAsync(QueuePublicationSql, new { Domain = domain, Now = now });

    public static async Task<IReadOnlyList<HostedDomain>> ClaimPublicationDueAsync(UnitOfWork work, DateTimeOffset now, int limit) =>
        (await work.QueryAsync<HostedDomain>(ClaimPublicationDueSql, new { Now = now, Limit = limit })).ToList();

    public static Task PublicationDoneAsync(UnitOfWork work, string domain) => work.ExecuteAsync(PublicationDoneSql, new { Domain = domain });

    /// <summary>True when the service hosts <paramref name="domain"/> and its policy is now <paramref name="policy"/>.</summary>
    public static async Task<bool> SetDmarcPolicyAsync(UnitOfWork work, Guid serviceId, string domain, string policy) =>
        await work.ExecuteAsync(DmarcSql, new { ServiceId = serviceId, Domain = domain, Policy = policy }) == 1;
}
