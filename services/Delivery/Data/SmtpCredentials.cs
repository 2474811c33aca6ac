using Dapper;
using Npgsql;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>One SMTP credential of a service as its owner sees it: never the password, which is shown once when made.</summary>
public sealed record SmtpCredential
{
    /// <summary>Null for the service's own username (made when it went live; its password is rotated, not revoked).</summary>
    public Guid? Id { get; init; }
    public string Name { get; init; } = "";
    public string Username { get; init; } = "";
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }
    public string? LastUsedIp { get; init; }
    /// <summary>bulk or transactional (<see cref="MailStream"/>): the stream mail sent with it goes in.</summary>
    public string Stream { get; init; } = MailStream.Bulk;
}

/// <summary>The named credentials of a service (smtp_credentials) beside its own username (relay_accounts).</summary>
public static class SmtpCredentials
{
    /// <summary>The name the service's own username is listed under.</summary>
    public const string PrimaryName = "primary";

    private const string ListSql = """
        SELECT NULL::uuid AS id, 'primary' AS name, username, activated_at AS created_at, NULL::timestamptz AS revoked_at, last_used_at, last_used_ip,
               'bulk' AS stream
        FROM relay_accounts WHERE service_id = @ServiceId
        UNION ALL
        SELECT id, name, username, created_at, revoked_at, last_used_at, last_used_ip, stream
        FROM (SELECT * FROM smtp_credentials WHERE service_id = @ServiceId ORDER BY revoked_at IS NOT NULL, created_at DESC) c
        """;

    // The cap is checked in the insert itself; two creations at once may both pass it by one, which is harmless.
    private const string InsertSql = """
        INSERT INTO smtp_credentials (id, service_id, name, username, password_hash, created_at, created_by, stream)
        SELECT @Id, @ServiceId, @Name, @Username, @PasswordHash, @Now, @CreatedBy, @Stream
        WHERE (SELECT count(*) FROM smtp_credentials WHERE service_id = @ServiceId AND revoked_at IS NULL) < @Max
        """;

    private const string RevokeSql = """
        UPDATE smtp_credentials SET revoked_at = @Now, revoked_by = @RevokedBy
        WHERE id = @Id AND service_id = @ServiceId AND revoked_at IS NULL
        """;

    private const string ExistsSql = "SELECT EXISTS (SELECT 1 FROM smtp_credentials WHERE id = @Id AND service_id = @ServiceId)";

    public enum AddResult { Added, TooMany, NameTaken }

    public static async Task<IReadOnlyList<SmtpCredential>> ListAsync(Database db, Guid serviceId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return [.. await connection.QueryAsync<SmtpCredential>(new CommandDefinition(ListSql, new { ServiceId = serviceId }, cancellationToken: ct))];
    }

    public static async Task<AddResult> AddAsync(
        Database db, Guid id, Guid serviceId, string name, string username, string passwordHash, string stream, string createdBy, int max,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        try
        {
            var added = await connection.ExecuteAsync(new CommandDefinition(InsertSql, new
            {
                Id = id, ServiceId = serviceId, Name = name, Username = username, PasswordHash = passwordHash, Stream = stream, Now = now,
                CreatedBy = createdBy, Max = max,
            }, cancellationToken: ct));
            return added == 1 ? AddResult.Added : AddResult.TooMany;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "smtp_credentials_name")
        {
            return AddResult.NameTaken;
        }
    }

    /// <summary>Revokes it at once (the next AUTH with it fails); null when the service has no such credential, false when it was revoked already.</summary>
    public static async Task<bool?> RevokeAsync(Database db, Guid serviceId, Guid id, string revokedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        if (await connection.ExecuteAsync(new CommandDefinition(RevokeSql, new { Id = id, ServiceId = serviceId, RevokedBy = revokedBy, Now = now }, cancellationToken: ct)) == 1)
        {
            return true;
        }
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ExistsSql, new { Id = id, ServiceId = serviceId }, cancellationToken: ct)) ? false : null;
    }
}
