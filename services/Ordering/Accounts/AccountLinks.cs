using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Accounts;

/// <summary>What a link is for; the values are stored (account_links.purpose).</summary>
public static class LinkPurpose
{
    public const string PasswordReset = "password-reset";
    public const string EmailVerification = "email-verification";
    public const string TeamInvitation = "team-invitation";
}

/// <summary>The mail states of a link (account_links.mail_status).</summary>
public static class LinkMailStatus
{
    public const string Pending = "Pending";
    public const string Sent = "Sent";
    public const string Rejected = "Rejected";
    public const string Expired = "Expired";
}

/// <summary>A link to record; a team invitation names the role offered and who invited (CustomerId is then the account).</summary>
public sealed record NewAccountLink(
    Guid Id, Guid CustomerId, string Purpose, byte[] TokenHash, string Email, DateTimeOffset ExpiresAt, string? TeamRole = null, Guid? InvitedBy = null);

public sealed record UsedLink(Guid CustomerId, string Email, string? TeamRole = null);

public sealed record AccountLinkToMail(
    Guid Id, string Purpose, string Email, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int MailAttempts, bool Used, string? TeamRole, string AccountName);

/// <summary>The account_links table: links mailed to customers, found again only by their token's hash.</summary>
public static class AccountLinks
{
    private const string InsertSql = """
        INSERT INTO account_links (id, customer_id, purpose, token_hash, email, created_at, expires_at, next_mail_at, team_role, invited_by)
        VALUES (@Id, @CustomerId, @Purpose, @TokenHash, @Email, @Now, @ExpiresAt, @Now, @TeamRole, @InvitedBy)
        """;
    // Serialises one account's requests, so two at once cannot both pass the hourly count.
    private const string LockAccountSql = "SELECT 1 FROM customers WHERE id = @CustomerId FOR UPDATE";
    private const string CountSinceSql = "SELECT count(*) FROM account_links WHERE customer_id = @CustomerId AND purpose = @Purpose AND created_at > @Since";
    // SKIP LOCKED: replicas mail different links; the row stays locked until its outcome commits.
    private const string ClaimSql = """
        SELECT l.id, l.purpose, l.email, l.created_at, l.expires_at, l.mail_attempts, l.used_at IS NOT NULL AS used, l.team_role, a.name AS account_name
        FROM account_links l JOIN customers a ON a.id = l.customer_id
        WHERE l.mail_status = 'Pending' AND l.next_mail_at <= @Now
        ORDER BY l.next_mail_at, l.id LIMIT 1
        FOR UPDATE OF l SKIP LOCKED
        """;
    private const string OutcomeSql = """
        UPDATE account_links SET mail_status = @Status, mail_attempts = mail_attempts + @Attempted, mailed_at = @MailedAt,
                                 mail_error = @Error, next_mail_at = @NextMailAt
        WHERE id = @Id
        """;
    // The guard is the WHERE: of two uses of one link at once, one updates the row and the other finds none.
    private const string UseSql = """
        UPDATE account_links SET used_at = @Now
        WHERE token_hash = @TokenHash AND purpose = @Purpose AND used_at IS NULL AND expires_at > @Now
        RETURNING customer_id, email, team_role
        """;
    private const string RetireSql = "UPDATE account_links SET used_at = @Now WHERE customer_id = @CustomerId AND purpose = @Purpose AND used_at IS NULL";

    public static Task InsertAsync(UnitOfWork work, NewAccountLink link, DateTimeOffset now) =>
        work.ExecuteAsync(InsertSql, new { link.Id, link.CustomerId, link.Purpose, link.TokenHash, link.Email, Now = now, link.ExpiresAt, link.TeamRole, link.InvitedBy });

    /// <summary>Locks the account's row for this transaction and counts its links of <paramref name="purpose"/> since <paramref name="since"/>.</summary>
    public static async Task<long> LockAndCountAsync(UnitOfWork work, Guid customerId, string purpose, DateTimeOffset since)
    {
        await work.ExecuteAsync(LockAccountSql, new { CustomerId = customerId });
        return await work.ExecuteScalarAsync<long>(CountSinceSql, new { CustomerId = customerId, Purpose = purpose, Since = since });
    }

    public static Task<AccountLinkToMail?> ClaimAsync(UnitOfWork work, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<AccountLinkToMail>(ClaimSql, new { Now = now });

    public static Task MarkAsync(UnitOfWork work, Guid id, string status, string? error, DateTimeOffset? mailedAt, bool attempted) =>
        work.ExecuteAsync(OutcomeSql, new { Id = id, Status = status, Attempted = attempted ? 1 : 0, MailedAt = mailedAt, Error = error, NextMailAt = (DateTimeOffset?)null });

    public static Task RetryLaterAsync(UnitOfWork work, Guid id, string error, DateTimeOffset nextAt) =>
        work.ExecuteAsync(OutcomeSql, new { Id = id, Status = LinkMailStatus.Pending, Attempted = 1, MailedAt = (DateTimeOffset?)null, Error = error, NextMailAt = nextAt });

    /// <summary>Marks the link used; null when no unused, unexpired link of <paramref name="purpose"/> has this token.</summary>
    public static Task<UsedLink?> UseAsync(UnitOfWork work, byte[] tokenHash, string purpose, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<UsedLink>(UseSql, new { TokenHash = tokenHash, Purpose = purpose, Now = now });

    /// <summary>Every other unused link of <paramref name="purpose"/> for the account stops working.</summary>
    public static Task RetireAsync(UnitOfWork work, Guid customerId, string purpose, DateTimeOffset now) =>
        work.ExecuteAsync(RetireSql, new { CustomerId = customerId, Purpose = purpose, Now = now });
}
