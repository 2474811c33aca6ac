using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>Where a service's permission to send as a domain comes from.</summary>
public static class SendingDomainSource
{
    /// <summary>Delegated to our nameservers (SendingDomainVerified); removed by SendingDomainReleased.</summary>
    public const string Verified = "verified";
    /// <summary>Allowed by staff through /api/admin (audited).</summary>
    public const string Staff = "staff";
}

// Settable properties, not positional records: Dapper's constructor matching does not apply type handlers (timestamptz).
public sealed record SenderDomainGrant
{
    public string Domain { get; init; } = "";
    public string Source { get; init; } = "";
    public DateTimeOffset AddedAt { get; init; }
    public Guid? AddedBy { get; init; }
    public string? Reason { get; init; }
}

public sealed record SenderDomainAuditEntry
{
    public Guid ServiceId { get; init; }
    public string Domain { get; init; } = "";
    public string Action { get; init; } = "";
    public Guid StaffId { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset At { get; init; }
}

/// <summary>The domains each service may send as, kept from Dns's and staff's say-so.</summary>
public static class SendingDomains
{
    private const string AddSql = """
        INSERT INTO sending_domains (service_id, domain, source, added_at, added_by, reason)
        VALUES (@ServiceId, @Domain, @Source, @At, @By, @Reason)
        ON CONFLICT (service_id, domain, source) DO NOTHING
        """;
    private const string RemoveSql = "DELETE FROM sending_domains WHERE service_id = @ServiceId AND domain = @Domain AND source = @Source";
    internal const string ForServiceSql = "SELECT DISTINCT domain FROM sending_domains WHERE service_id = @ServiceId";
    private const string ForServicesSql = "SELECT service_id, domain FROM sending_domains WHERE service_id = ANY(@ServiceIds)";
    private const string GrantsSql = """
        SELECT domain, source, added_at, added_by, reason FROM sending_domains WHERE service_id = @ServiceId ORDER BY domain, source
        """;
    private const string AuditSql = """
        INSERT INTO sender_domain_audit (service_id, domain, action, staff_id, reason, at) VALUES (@ServiceId, @Domain, @Action, @StaffId, @Reason, @At)
        """;
    private const string AuditListSql = """
        SELECT service_id, domain, action, staff_id, reason, at FROM sender_domain_audit WHERE service_id = @ServiceId ORDER BY at DESC, id DESC
        """;

    /// <summary>True when added now (false when it was already there).</summary>
    public static async Task<bool> AddAsync(UnitOfWork work, Guid serviceId, string domain, string source, DateTimeOffset at, Guid? by = null, string? reason = null) =>
        await work.ExecuteAsync(AddSql, new { ServiceId = serviceId, Domain = domain, Source = source, At = at, By = by, Reason = reason }) == 1;

    public static async Task<bool> RemoveAsync(UnitOfWork work, Guid serviceId, string domain, string source) =>
        await work.ExecuteAsync(RemoveSql, new { ServiceId = serviceId, Domain = domain, Source = source }) == 1;

    public static Task AuditAsync(UnitOfWork work, Guid serviceId, string domain, string action, Guid staffId, string? reason, DateTimeOffset at) =>
        work.ExecuteAsync(AuditSql, new { ServiceId = serviceId, Domain = domain, Action = action, StaffId = staffId, Reason = reason, At = at });

    public static async Task<IReadOnlyList<string>> ForServiceAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition(ForServiceSql, new { ServiceId = serviceId }, cancellationToken: ct))).ToList();
    }

    public static async Task<ILookup<Guid, string>> ForServicesAsync(Database db, IEnumerable<Guid> serviceIds, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(Guid ServiceId, string Domain)>(
            new CommandDefinition(ForServicesSql, new { ServiceIds = serviceIds.ToArray() }, cancellationToken: ct));
        return rows.ToLookup(r => r.ServiceId, r => r.Domain);
    }

    public static async Task<IReadOnlyList<SenderDomainGrant>> GrantsAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<SenderDomainGrant>(new CommandDefinition(GrantsSql, new { ServiceId = serviceId }, cancellationToken: ct))).ToList();
    }

    public static async Task<IReadOnlyList<SenderDomainAuditEntry>> AuditTrailAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<SenderDomainAuditEntry>(new CommandDefinition(AuditListSql, new { ServiceId = serviceId }, cancellationToken: ct))).ToList();
    }
}
