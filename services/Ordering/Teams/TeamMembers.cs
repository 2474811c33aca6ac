using ProMTA.Ordering.Accounts;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Teams;

/// <summary>A login of the account: its own (the first owner, <see cref="IsAccount"/>) or a member's.</summary>
public sealed record TeamMemberRow(Guid Id, string Email, string Name, string Role, DateTimeOffset CreatedAt, bool IsAccount);

public sealed record PendingInvitationRow(Guid Id, string Email, string Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string MailStatus);

/// <summary>A login found by the address an invitation was sent to (locked for the acceptance's transaction).</summary>
public sealed record LoginByEmail(Guid Id, Guid? AccountId, string Role, DateTimeOffset? RemovedAt);

/// <summary>The team of an account: ordering.customers rows that are the account or name it (account_id), and its invitations.</summary>
public static class TeamMembers
{
    private const string MemberColumns = """
        id, email, name, COALESCE(team_role, 'owner') AS role, created_at, id = @AccountId AS is_account
        """;
    private const string ListSql = $"""
        SELECT {MemberColumns} FROM customers
        WHERE (id = @AccountId OR account_id = @AccountId) AND removed_at IS NULL
        ORDER BY id = @AccountId DESC, created_at, id
        """;
    private const string FindSql = $"""
        SELECT {MemberColumns} FROM customers
        WHERE id = @MemberId AND (id = @AccountId OR account_id = @AccountId) AND removed_at IS NULL
        FOR UPDATE
        """;
    private const string PendingSql = """
        SELECT id, email, team_role AS role, created_at, expires_at, mail_status FROM account_links
        WHERE customer_id = @AccountId AND purpose = 'team-invitation' AND used_at IS NULL AND expires_at > @Now
        ORDER BY created_at DESC, id
        """;
    private const string IsMemberSql = """
        SELECT EXISTS (SELECT 1 FROM customers WHERE lower(email) = lower(@Email) AND (id = @AccountId OR account_id = @AccountId) AND removed_at IS NULL)
        """;
    private const string ChangeRoleSql = "UPDATE customers SET team_role = @Role WHERE id = @MemberId AND account_id = @AccountId AND removed_at IS NULL";
    // Every way in ends in the same statement: the login, its tokens (tokens_revoked_at), its API keys, its reset links.
    private const string RemoveSql = """
        UPDATE customers SET removed_at = @Now, tokens_revoked_at = @Now WHERE id = @MemberId AND account_id = @AccountId AND removed_at IS NULL;
        UPDATE api_keys SET revoked_at = @Now WHERE customer_id = @MemberId AND revoked_at IS NULL;
        UPDATE account_links SET used_at = @Now WHERE customer_id = @MemberId AND used_at IS NULL;
        """;
    private const string RevokeInvitationSql = """
        UPDATE account_links SET used_at = @Now
        WHERE id = @Id AND customer_id = @AccountId AND purpose = 'team-invitation' AND used_at IS NULL AND expires_at > @Now
        RETURNING customer_id, email, team_role
        """;
    private const string LoginByEmailSql = "SELECT id, account_id, role, removed_at FROM customers WHERE lower(email) = lower(@Email) FOR UPDATE";
    private const string InsertMemberSql = """
        INSERT INTO customers (id, email, name, password_hash, role, created_at, email_verified_at, account_id, team_role)
        VALUES (@Id, @Email, @Name, @PasswordHash, 'customer', @Now, @Now, @AccountId, @Role)
        ON CONFLICT DO NOTHING
        """;
    // A removed member invited again (to this account or another) joins with a new password; nothing of before revives
    // (tokens_revoked_at ends every older token; their keys stay revoked).
    private const string RejoinSql = """
        UPDATE customers SET account_id = @AccountId, team_role = @Role, removed_at = NULL, name = @Name, password_hash = @PasswordHash,
               tokens_revoked_at = @Now, email_verified_at = COALESCE(email_verified_at, @Now)
        WHERE id = @Id AND removed_at IS NOT NULL
        """;

    public static async Task<IReadOnlyList<TeamMemberRow>> ListAsync(UnitOfWork work, Guid accountId) =>
        (await work.QueryAsync<TeamMemberRow>(ListSql, new { AccountId = accountId })).ToList();

    /// <summary>The member of this account (locked until the transaction ends), or null: another account's login is no member.</summary>
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

    public static async Task<bool> InsertAsync(UnitOfWork work, Guid id, string email, string name, string passwordHash, Guid accountId, string role, DateTimeOffset now) =>
        await work.ExecuteAsync(InsertMemberSql, new { Id = id, Email = email, Name = name, PasswordHash = passwordHash, AccountId = accountId, Role = role, Now = now }) == 1;

    public static async Task<bool> RejoinAsync(UnitOfWork work, Guid id, string name, string passwordHash, Guid accountId, string role, DateTimeOffset now) =>
        await work.ExecuteAsync(RejoinSql, new { Id = id, Name = name, PasswordHash = passwordHash, AccountId = accountId, Role = role, Now = now }) == 1;
}
