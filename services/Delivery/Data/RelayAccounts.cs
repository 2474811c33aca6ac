using Dapper;
using ProMTA.Contracts.Delivery;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

public sealed record RelayAccount
{
    public Guid ServiceId { get; init; }
    public string Username { get; init; } = "";
    public string? PasswordHash { get; init; }
    public string[] SourceIps { get; init; } = [];
    /// <summary>The PTR name of each of <see cref="SourceIps"/>, same order.</summary>
    public string[] SourceHostnames { get; init; } = [];
    public string Status { get; init; } = "";
    public string RelayMode { get; init; } = "managed";
    /// <summary>The named credential the username belongs to (smtp_credentials); null for the service's own username.</summary>
    public Guid? CredentialId { get; init; }
    /// <summary>The stream mail sent with this username goes in (MailStream); the service's own username sends bulk.</summary>
    public string Stream { get; init; } = MailStream.Bulk;
    public DateTimeOffset? LastUsedAt { get; init; }
}

public static class RelayAccounts
{
    public const string Active = "Active";
    public const string Suspended = "Suspended";
    public const string Ended = "Ended";

    // Reverse DNS seen again for a running service means its IPs changed (a plan change, issue 17): the account keeps
    // its credentials, status and mode and sends from the new set.
    private const string InsertSql = """
        INSERT INTO relay_accounts (service_id, order_id, username, source_ips, source_hostnames, status, activated_at)
        VALUES (@ServiceId, @OrderId, @Username, @SourceIps, @SourceHostnames, 'Active', @ActivatedAt)
        ON CONFLICT (service_id) DO UPDATE SET source_ips = EXCLUDED.source_ips, source_hostnames = EXCLUDED.source_hostnames
        """;

    // The service's own username, or one of its named credentials that is not revoked (SmtpCredentials).
    private const string ByUsernameSql = """
        SELECT service_id, username, password_hash, source_ips, source_hostnames, status, NULL::uuid AS credential_id, last_used_at, 'bulk' AS stream
        FROM relay_accounts WHERE username = @Username
        UNION ALL
        SELECT a.service_id, c.username, c.password_hash, a.source_ips, a.source_hostnames, a.status, c.id, c.last_used_at, c.stream
        FROM smtp_credentials c JOIN relay_accounts a ON a.service_id = c.service_id
        WHERE c.username = @Username AND c.revoked_at IS NULL
        """;

    private const string AccountUsedSql = "UPDATE relay_accounts SET last_used_at = @Now, last_used_ip = @Ip WHERE service_id = @ServiceId";
    private const string CredentialUsedSql = "UPDATE smtp_credentials SET last_used_at = @Now, last_used_ip = @Ip WHERE id = @Id";

    private const string ByServiceSql = """
        SELECT service_id, username, password_hash, source_ips, source_hostnames, status, relay_mode FROM relay_accounts WHERE service_id = @ServiceId
        """;

    // The switch and its audit row in one transaction; the row lock orders concurrent switches so each "from" is true.
    private const string SetRelayModeSql = """
        WITH before AS (SELECT relay_mode FROM relay_accounts WHERE service_id = @ServiceId FOR UPDATE),
             changed AS (
                 UPDATE relay_accounts a SET relay_mode = @Mode FROM before
                 WHERE a.service_id = @ServiceId AND before.relay_mode <> @Mode
                 RETURNING before.relay_mode AS from_mode)
        INSERT INTO relay_mode_changes (service_id, from_mode, to_mode, changed_by, changed_at)
        SELECT @ServiceId, from_mode, @Mode, @ChangedBy, @Now FROM changed
        RETURNING from_mode
        """;

    // The new hash and its audit row in one statement.
    private const string SetPasswordSql = """
        WITH changed AS (UPDATE relay_accounts SET password_hash = @PasswordHash WHERE service_id = @ServiceId RETURNING service_id)
        INSERT INTO smtp_password_rotations (service_id, rotated_by, rotated_at) SELECT service_id, @RotatedBy, @Now FROM changed
        """;

    // Only forward along Active -> Suspended -> Active and anything -> Ended: a late Resumed never revives an ended service.
    private const string SetStatusSql = """
        UPDATE relay_accounts SET status = @To WHERE service_id = @ServiceId AND status = ANY(@From)
        """;

    public static Task CreateAsync(
        UnitOfWork work, Guid serviceId, Guid orderId, string username, string[] sourceIps, string[] sourceHostnames, DateTimeOffset activatedAt) =>
        work.ExecuteAsync(InsertSql, new
        {
            ServiceId = serviceId, OrderId = orderId, Username = username, SourceIps = sourceIps, SourceHostnames = sourceHostnames, ActivatedAt = activatedAt,
        });

    public static async Task<RelayAccount?> FindByUsernameAsync(Database db, string username, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<RelayAccount>(new CommandDefinition(ByUsernameSql, new { Username = username }, cancellationToken: ct));
    }

    /// <summary>Records a successful AUTH with <paramref name="account"/>'s username: when, and from which client address.</summary>
    public static async Task MarkUsedAsync(Database db, RelayAccount account, string ip, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(account.CredentialId is not null ? CredentialUsedSql : AccountUsedSql,
            new { account.ServiceId, Id = account.CredentialId, Ip = ip, Now = now }, cancellationToken: ct));
    }

    public static async Task<RelayAccount?> FindAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<RelayAccount>(new CommandDefinition(ByServiceSql, new { ServiceId = serviceId }, cancellationToken: ct));
    }

    /// <summary>
    /// The account and its sending domains, what every MAIL needs, in one round trip on one connection (the relay asked
    /// twice per message before).
    /// </summary>
    public static async Task<(RelayAccount? Account, IReadOnlyList<string> SendingDomains)> FindWithSendingDomainsAsync(
        Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            ByServiceSql + ";\n" + SendingDomains.ForServiceSql, new { ServiceId = serviceId }, cancellationToken: ct));
        var account = await results.ReadSingleOrDefaultAsync<RelayAccount>();
        return (account, [.. await results.ReadAsync<string>()]);
    }

    /// <summary>
    /// Switches the relay mode, audits who did it and tells the other services (RelayModeChanged in the same
    /// transaction's outbox, so Ordering's copy cannot miss it); setting the mode it already has changes nothing.
    /// </summary>
    public static async Task SetRelayModeAsync(Database db, Guid serviceId, string mode, string changedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var changed = await work.QueryAsync<string>(SetRelayModeSql, new { ServiceId = serviceId, Mode = mode, ChangedBy = changedBy, Now = now });
        if (changed.Any()) await work.PublishAsync(new RelayModeChanged { ServiceId = serviceId, Mode = mode, ChangedAt = now });
        await work.CommitAsync(ct);
    }

    public static async Task SetPasswordHashAsync(Database db, Guid serviceId, string passwordHash, string rotatedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(SetPasswordSql,
            new { ServiceId = serviceId, PasswordHash = passwordHash, RotatedBy = rotatedBy, Now = now }, cancellationToken: ct));
    }

    public static Task<int> SetStatusAsync(UnitOfWork work, Guid serviceId, string to, params string[] from) =>
        work.ExecuteAsync(SetStatusSql, new { ServiceId = serviceId, To = to, From = from });
}
