using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// One change to a service as its audit log shows it: what area (relay-mode, smtp-password, smtp-credential, queue,
/// sender-domain), what was done, the detail, and by whom: the team member's address (docs/teams.md; "customer" for changes
/// recorded before teams), or "staff" (staff members are not named to customers).
/// </summary>
public sealed record AuditEntry
{
    public DateTimeOffset At { get; init; }
    public string Area { get; init; } = "";
    public string Action { get; init; } = "";
    public string Detail { get; init; } = "";
    public string By { get; init; } = "";
}

/// <summary>Every change Delivery records for a service, newest first, read from the tables that record each kind (one place to look, no copy).</summary>
public static class ServiceAudit
{
    private const string Sql = """
        SELECT at, area, action, detail,
               CASE WHEN actor LIKE 'customer:%' THEN coalesce(substring(actor FROM '^customer:[0-9a-f-]{36}:(.+)$'), 'customer') ELSE 'staff' END AS by
        FROM (
            SELECT changed_at AS at, 'relay-mode' AS area, 'changed' AS action, from_mode || ' to ' || to_mode AS detail, changed_by AS actor
            FROM relay_mode_changes WHERE service_id = @ServiceId
            UNION ALL
            SELECT rotated_at, 'smtp-password', 'rotated', 'the primary username''s password', rotated_by
            FROM smtp_password_rotations WHERE service_id = @ServiceId
            UNION ALL
            SELECT created_at, 'smtp-credential', 'created', name || ' (' || username || ')', created_by
            FROM smtp_credentials WHERE service_id = @ServiceId
            UNION ALL
            SELECT revoked_at, 'smtp-credential', 'revoked', name || ' (' || username || ')', revoked_by
            FROM smtp_credentials WHERE service_id = @ServiceId AND revoked_at IS NOT NULL
            UNION ALL
            SELECT occurred_at, 'queue', action, filter::text || ', ' || affected || ' recipients', actor
            FROM queue_actions WHERE service_id = @ServiceId
            UNION ALL
            SELECT at, 'sender-domain', action, domain || coalesce(': ' || reason, ''), 'staff:' || staff_id
            FROM sender_domain_audit WHERE service_id = @ServiceId
        ) changes
        ORDER BY at DESC
        LIMIT @Limit OFFSET @Offset
        """;

    public static async Task<IReadOnlyList<AuditEntry>> PageAsync(Database db, Guid serviceId, int offset, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<AuditEntry>(new CommandDefinition(Sql, new { ServiceId = serviceId, Offset = offset, Limit = limit }, cancellationToken: ct))];
    }
}
