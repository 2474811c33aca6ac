using Dapper;
using Npgsql;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Teams;

/// <summary>A login's place in one account: its role there, and since when that account's tokens of it are void.</summary>
public sealed record MembershipRow(Guid AccountId, string Role, DateTimeOffset? TokensRevokedAt);

/// <summary>An account a login may act on, as the account switcher lists it.</summary>
public sealed record LoginMembershipRow(Guid AccountId, string AccountName, string AccountEmail, string Role, DateTimeOffset JoinedAt);

/// <summary>
/// The memberships table (docs/teams.md): one row per login and account it belongs to. The only place a team role is
/// kept; introspection reads it on every request, so a removal or a role change counts at once.
/// </summary>
public static class Memberships
{
    private const string FindActiveSql = """
        SELECT account_id, role, tokens_revoked_at FROM memberships WHERE login_id = @LoginId AND account_id = @AccountId AND removed_at IS NULL
        """;
    // The account a log-in without a choice opens: the login's oldest membership (an owner's own account comes first).
    private const string FirstActiveSql = """
        SELECT account_id, role, tokens_revoked_at FROM memberships WHERE login_id = @LoginId AND removed_at IS NULL
        ORDER BY login_id = account_id DESC, created_at, account_id LIMIT 1
        """;
    private const string ListForLoginSql = """
        SELECT m.account_id, a.name AS account_name, a.email AS account_email, m.role, m.created_at AS joined_at
        FROM memberships m JOIN customers a ON a.id = m.account_id
        WHERE m.login_id = @LoginId AND m.removed_at IS NULL
        ORDER BY m.login_id = m.account_id DESC, m.created_at, m.account_id
        """;
    // A new membership, or a removed one reopened: older tokens for this account stay void (tokens_revoked_at). Zero rows:
    // the login already belongs to the account.
    private const string JoinSql = """
        INSERT INTO memberships (login_id, account_id, role, created_at) VALUES (@LoginId, @AccountId, @Role, @Now)
        ON CONFLICT (login_id, account_id) DO UPDATE SET role = @Role, created_at = @Now, removed_at = NULL, tokens_revoked_at = @Now
        WHERE memberships.removed_at IS NOT NULL
        """;
    private const string OwnerSql = "SELECT login_id FROM memberships WHERE account_id = @AccountId AND role = 'owner' AND removed_at IS NULL FOR UPDATE";

    public static async Task<MembershipRow?> FindActiveAsync(NpgsqlConnection connection, Guid loginId, Guid accountId) =>
        await connection.QuerySingleOrDefaultAsync<MembershipRow>(FindActiveSql, new { LoginId = loginId, AccountId = accountId });

    public static Task<MembershipRow?> FindActiveAsync(UnitOfWork work, Guid loginId, Guid accountId) =>
        work.QuerySingleOrDefaultAsync<MembershipRow>(FindActiveSql, new { LoginId = loginId, AccountId = accountId });

    public static async Task<MembershipRow?> FirstActiveAsync(NpgsqlConnection connection, Guid loginId) =>
        await connection.QuerySingleOrDefaultAsync<MembershipRow>(FirstActiveSql, new { LoginId = loginId });

    public static async Task<IReadOnlyList<LoginMembershipRow>> ListForLoginAsync(NpgsqlConnection connection, Guid loginId) =>
        (await connection.QueryAsync<LoginMembershipRow>(ListForLoginSql, new { LoginId = loginId })).ToList();

    /// <summary>False when the login is already an active member of the account (nothing changes).</summary>
    public static async Task<bool> JoinAsync(UnitOfWork work, Guid loginId, Guid accountId, string role, DateTimeOffset now) =>
        await work.ExecuteAsync(JoinSql, new { LoginId = loginId, AccountId = accountId, Role = role, Now = now }) == 1;

    /// <summary>The account's one owner, locked until the transaction ends (a transfer and a removal cannot cross).</summary>
    public static Task<Guid> LockOwnerAsync(UnitOfWork work, Guid accountId) =>
        work.ExecuteScalarAsync<Guid>(OwnerSql, new { AccountId = accountId });
}
