using ProMTA.Ordering.Accounts;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Teams;

/// <summary>A member of the account: their login and their role in this account (<see cref="IsOwner"/>: its one owner).</summary>
public sealed record TeamMemberRow(Guid Id, string Email, string Name, string Role, DateTimeOffset CreatedAt)
{
    public bool IsOwner => Role == ProMTA.ServiceDefaults.Auth.TeamRoles.Owner;
}

public sealed record PendingInvitationRow(Guid Id, string Email, string Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string MailStatus);

/// <summary>
/// A login found by the address an invitation was sent to (locked for the acceptance's transaction); <see cref="Removed"/>:
/// a customer login that belongs to no account any more.
/// </summary>
public sealed record LoginByEmail(Guid Id, string Email, string PasswordHash, string Role, bool Removed);

/// <summary>The team of an account: the logins with an active membership in it (memberships), and its invitations.</summary>
public static class TeamMembers
{
    private const string MemberColumns = "c.id, c.email, c.name, m.role, m.created_at";
    private const string ListSql = $"""
        SELECT {MemberColumns} FROM memberships m JOIN customers c ON c.id = m.login_id
        WHERE m.account_id = @AccountId AND m.removed_at IS NULL
        ORDER BY m.role = 'owner' DESC, m.created_at, c.id
        """;
    private const string FindSql = $"""
        SELECT {MemberColumns} FROM memberships m JOIN customers c ON c.id = m.login_id
        WHERE m.login_id = @MemberId AND m.account_id = @AccountId AND m.removed_at IS NULL
        FOR UPDATE OF m
        """;
    private const string PendingSql = """
        SELECT id, email, team_role AS role, created_at, expires_at, mail_status FROM account_links
        WHERE customer_id = @AccountId AND purpose = 'team-invitation' AND used_at IS NULL AND expires_at > @Now
        ORDER BY created_at DESC, id
        """;
    private const string IsMemberSql = """
        SELECT EXISTS (SELECT 1 FROM memberships m JOIN customers c ON c.id = m.login_id
                       WHERE lower(c.email) = lower(@Email) AND m.account_id = @AccountId AND m.removed_at IS NULL)
        """;
    private const string ChangeRoleSql = "UPDATE memberships SET role = @Role WHERE login_id = @MemberId AND account_id = @AccountId AND removed_at IS NULL";
    // Every way into this account ends in the same statement: the membership, its tokens (tokens_revoked_at), its API keys.
    // The login's pending reset links end too once it belongs to no account any more (it can then no longer log in).
    private const string RemoveSql = """
        UPDATE memberships SET removed_at = @Now, tokens_revoked_at = @Now WHERE login_id = @MemberId AND account_id = @AccountId AND removed_at IS NULL;
        UPDATE api_keys SET revoked_at = @Now WHERE customer_id = @MemberId AND account_id = @AccountId AND revoked_at IS NULL;
        UPDATE account_links SET used_at = @Now
        WHERE customer_id = @MemberId AND purpose <> 'team-invitation' AND used_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM memberships WHERE login_id = @MemberId AND removed_at IS NULL);
        """;
    private const string RevokeInvitationSql = """
        UPDATE account_links SET used_at = @Now
        WHERE id = @Id AND customer_id = @AccountId AND purpose = 'team-invitation' AND used_at IS NULL AND expires_at > @Now
        RETURNING customer_id, email, team_role
        """;
    private const string LoginByEmailSql = """
        SELECT id, email, password_hash, role,
               role = 'customer' AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.login_id = customers.id AND m.removed_at IS NULL) AS removed
        FROM customers WHERE lower(email) = lower(@Email) FOR UPDATE
        """;
    private const string LoginByIdSql = """
        SELECT id, email, password_hash, role, false AS removed FROM customers WHERE id = @Id FOR UPDATE
        """;
    // account_id names the account whose invitation made the login (it is a member's login, not an account).
    private const string InsertLoginSql = """
        INSERT INTO customers (id, email, name, password_hash, role, created_at, email_verified_at, account_id)
        VALUES (@Id, @Email, @Name, @PasswordHash, 'customer', @Now, @Now, @AccountId)
        ON CONFLICT DO NOTHING
        """;
    // A login removed from every account, invited again, comes back with a new password; no older token revives
    // (tokens_revoked_at), and its keys stay revoked.
    private const string ReopenLoginSql = """
        UPDATE customers SET name = @Name, password_hash = @PasswordHash, tokens_revoked_at = @Now, email_verified_at = COALESCE(email_verified_at, @Now)
        WHERE id = @Id
        """;

    public static async Task<IReadOnlyList<TeamMemberRow>> ListAsync(UnitOfWork work, Guid accountId) =>
        (await work.QueryAsync<TeamMemberRow>(ListSql, new { AccountId = accountId })).ToList();

    /// <summary>The member of this account (their membership locked until the transaction ends), or null: another account's login is no member.</summary>
    public static Task<TeamMemberRow?> FindAsync(UnitOfWork work, Guid accountId, Guid memberId) =>
        work.QuerySingleOrDefaultAsync<TeamMemberRow>(FindSql, new { AccountId = accountId, MemberId = memberId });

    public static async Task<IReadOnlyList<PendingInvitationRow>> PendingAsync(UnitOfWork work, Guid accountId, DateTimeOffset now) =>
        (await work.QueryAsync<PendingInvitationRow>(PendingSql, new { AccountId = accountId, Now = now })).ToList();

    public static Task<bool> IsMemberAsync(UnitOfWork work, Guid accountId, string email) =>
        work.ExecuteScalarAsync<bool>(IsMemberSql, new { AccountId = accountId, Email = email });

    public static Task ChangeRoleAsync(UnitOfWork work, Guid accountId, Guid memberId, string role) =>
        work.ExecuteAsync(ChangeRoleSql, new { AccountId = accountId, MemberId = memberId, Role = role });

    public static Task RemoveAsync(UnitOfWork work, Guid accountId, Guid memberId, DateTimeOffset now) =>
        work.ExecuteAsync(RemoveSql, new { AccountId = accountId, MemberId = memberId, Now = now });

    /// <summary>The revoked invitation's address and role, or null when the account has no such pending invitation.</summary>
    public static Task<UsedLink?> RevokeInvitationAsync(UnitOfWork work, Guid accountId, Guid invitationId, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<UsedLink>(RevokeInvitationSql, new { AccountId = accountId, Id = invitationId, Now = now });

    public static Task<LoginByEmail?> LoginByEmailAsync(UnitOfWork work, string email) =>
        work.QuerySingleOrDefaultAsync<LoginByEmail>(LoginByEmailSql, new { Email = email });

    public static Task<LoginByEmail?> LoginByIdAsync(UnitOfWork work, Guid id) =>
        work.QuerySingleOrDefaultAsync<LoginByEmail>(LoginByIdSql, new { Id = id });

    public static async Task<bool> InsertLoginAsync(UnitOfWork work, Guid id, string email, string name, string passwordHash, Guid accountId, DateTimeOffset now) =>
        await work.ExecuteAsync(InsertLoginSql, new { Id = id, Email = email, Name = name, PasswordHash = passwordHash, AccountId = accountId, Now = now }) == 1;

    public static Task ReopenLoginAsync(UnitOfWork work, Guid id, string name, string passwordHash, DateTimeOffset now) =>
        work.ExecuteAsync(ReopenLoginSql, new { Id = id, Name = name, PasswordHash = passwordHash, Now = now });
}
