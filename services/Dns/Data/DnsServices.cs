using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Data;

// Settable properties, not a positional record: Dapper's constructor matching does not apply type handlers (timestamptz).
public sealed class DnsService
{
    public Guid ServiceId { get; init; }
    public Guid? CustomerId { get; init; }
    public Guid? OrderId { get; init; }
    public string? SendingDomain { get; init; }
    public string[] Ips { get; init; } = [];
    public DateTimeOffset? DomainVerifiedAt { get; init; }
    public string[] DelegationSeen { get; init; } = [];
    public DateTimeOffset? DelegationCheckedAt { get; init; }
    public int DelegationAttempts { get; init; }
    /// <summary>The customer's choice (none, quarantine, reject); null until they choose.</summary>
    public string? DmarcPolicy { get; init; }
}

public static class DnsServices
{
    private const string Columns = """
        service_id, customer_id, order_id, sending_domain, ips, domain_verified_at, delegation_seen, delegation_checked_at, delegation_attempts,
        dmarc_policy
        """;
    // Hosted domains whose next delegation check is due (verified ones too, less often: a customer may move away);
    // SKIP LOCKED so replicas share them.
    private const string ClaimDelegationDueSql = $"""
        SELECT {Columns} FROM services
        WHERE decommissioned_at IS NULL AND sending_domain IS NOT NULL
          AND (delegation_next_check_at IS NULL OR delegation_next_check_at <= @Now)
        ORDER BY delegation_next_check_at NULLS FIRST LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;
    private const string RecordDelegationSql = """
        UPDATE services SET delegation_seen = @Seen, delegation_checked_at = @Now, delegation_next_check_at = @NextCheckAt,
            delegation_attempts = CASE WHEN @ToUs THEN 0 ELSE delegation_attempts + 1 END,
            domain_verified_at = CASE WHEN @ToUs THEN COALESCE(domain_verified_at, @Now) END
        WHERE service_id = @ServiceId
        """;
    private const string ClaimDriftDueSql = $"""
        SELECT {Columns} FROM services
        WHERE decommissioned_at IS NULL AND (drift_checked_at IS NULL OR drift_checked_at <= @Before)
        ORDER BY drift_checked_at NULLS FIRST LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;
    private const string DriftCheckedSql = "UPDATE services SET drift_checked_at = @Now WHERE service_id = @ServiceId";
    private const string OwnerSql = """
        INSERT INTO services (service_id, customer_id, order_id) VALUES (@ServiceId, @CustomerId, @OrderId)
        ON CONFLICT (service_id) DO UPDATE SET customer_id = excluded.customer_id, order_id = excluded.order_id
        """;
    private const string DomainTakenSql = """
        SELECT EXISTS (SELECT 1 FROM services WHERE sending_domain = @Domain AND service_id <> @ServiceId AND decommissioned_at IS NULL)
        """;
    private const string SetDomainSql = "UPDATE services SET sending_domain = @Domain WHERE service_id = @ServiceId";
    private const string ClearDomainSql = """
        UPDATE services SET sending_domain = NULL, dmarc_policy = NULL, domain_verified_at = NULL, delegation_seen = '{}', delegation_checked_at = NULL,
            delegation_attempts = 0, delegation_next_check_at = NULL
        WHERE service_id = @ServiceId AND sending_domain = @Domain
        """;
    private const string DmarcSql = "UPDATE services SET dmarc_policy = @Policy WHERE service_id = @ServiceId AND sending_domain = @Domain";
    private const string SetIpsSql = """
        INSERT INTO services (service_id, ips) VALUES (@ServiceId, @Ips)
        ON CONFLICT (service_id) DO UPDATE SET ips = excluded.ips
        """;
    private const string FindSql = $"""
        SELECT {Columns} FROM services
        WHERE service_id = @ServiceId AND decommissioned_at IS NULL
        """;
    private const string FindOwnedSql = $"""
        SELECT {Columns} FROM services
        WHERE service_id = @ServiceId AND customer_id = @CustomerId
        """;
    private const string DecommissionSql = "UPDATE services SET decommissioned_at = @At WHERE service_id = @ServiceId AND decommissioned_at IS NULL";

    public static Task AddOwnerAsync(UnitOfWork work, Guid serviceId, Guid customerId, Guid orderId) =>
        work.ExecuteAsync(OwnerSql, new { ServiceId = serviceId, CustomerId = customerId, OrderId = orderId });

    public static async Task<bool> TrySetDomainAsync(UnitOfWork work, Guid serviceId, string domain)
    {
        if (await work.ExecuteScalarAsync<bool>(DomainTakenSql, new { ServiceId = serviceId, Domain = domain })) return false;
        await work.ExecuteAsync(SetDomainSql, new { ServiceId = serviceId, Domain = domain });
        return true;
    }

    /// <summary>The service no longer hosts <paramref name="domain"/> (a release); no-op when it hosts another one or none.</summary>
    public static Task ClearDomainAsync(UnitOfWork work, Guid serviceId, string domain) =>
        work.ExecuteAsync(ClearDomainSql, new { ServiceId = serviceId, Domain = domain });

    /// <summary>True when the service hosts <paramref name="domain"/> and its policy is now <paramref name="policy"/>.</summary>
    public static async Task<bool> SetDmarcPolicyAsync(UnitOfWork work, Guid serviceId, string domain, string policy) =>
        await work.ExecuteAsync(DmarcSql, new { ServiceId = serviceId, Domain = domain, Policy = policy }) == 1;

    public static Task SetIpsAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> ips) =>
        work.ExecuteAsync(SetIpsSql, new { ServiceId = serviceId, Ips = ips.ToArray() });

    public static Task<DnsService?> FindAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<DnsService>(FindSql, new { ServiceId = serviceId });

    public static Task DecommissionAsync(UnitOfWork work, Guid serviceId, DateTimeOffset at) =>
        work.ExecuteAsync(DecommissionSql, new { ServiceId = serviceId, At = at });

    public static async Task<IReadOnlyList<DnsService>> ClaimDelegationDueAsync(UnitOfWork work, DateTimeOffset now, int limit) =>
        (await work.QueryAsync<DnsService>(ClaimDelegationDueSql, new { Now = now, Limit = limit })).ToList();

    /// <summary>Keeps what was seen; delegated keeps the first verification time, not delegated clears it.</summary>
    public static Task RecordDelegationAsync(UnitOfWork work, Guid serviceId, IReadOnlyList<string> seen, bool toUs, DateTimeOffset now, DateTimeOffset nextCheckAt) =>
        work.ExecuteAsync(RecordDelegationSql, new { ServiceId = serviceId, Seen = seen.ToArray(), ToUs = toUs, Now = now, NextCheckAt = nextCheckAt });

    /// <summary>Live services whose records were last compared with DNS before <paramref name="before"/> (or never).</summary>
    public static async Task<IReadOnlyList<DnsService>> ClaimDriftDueAsync(UnitOfWork work, DateTimeOffset before, int limit) =>
        (await work.QueryAsync<DnsService>(ClaimDriftDueSql, new { Before = before, Limit = limit })).ToList();

    public static Task MarkDriftCheckedAsync(UnitOfWork work, Guid serviceId, DateTimeOffset now) =>
        work.ExecuteAsync(DriftCheckedSql, new { ServiceId = serviceId, Now = now });

    /// <summary>The service if <paramref name="customerId"/> owns it; another customer's service is indistinguishable from none.</summary>
    public static async Task<DnsService?> FindOwnedAsync(Database db, Guid serviceId, Guid customerId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DnsService>(
            new CommandDefinition(FindOwnedSql, new { ServiceId = serviceId, CustomerId = customerId }, cancellationToken: ct));
    }
}
