using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Teams;

/// <summary>What happened to a team (team_audit.action).</summary>
public static class TeamAction
{
    public const string Invited = "invited";
    public const string InvitationRevoked = "invitation-revoked";
    public const string Joined = "joined";
    public const string RoleChanged = "role-changed";
    public const string Removed = "removed";
    public const string OwnershipTransferred = "ownership-transferred";
}

/// <summary>One entry: who (<see cref="ActorEmail"/>, null once nobody is left to name) did what to which address.</summary>
public sealed record TeamAuditRow(DateTimeOffset At, string Action, string Email, string? Role, string? PreviousRole, string? ActorEmail);

/// <summary>The team_audit table: the account's team changes, written in the transaction of the change they record.</summary>
public static class TeamAudit
{
    private const string InsertSql = """
        INSERT INTO team_audit (id, account_id, at, actor_id, action, email, role, previous_role)
        VALUES (@Id, @AccountId, @At, @ActorId, @Action, @Email, @Role, @PreviousRole)
        """;
    private const string PageSql = """
        SELECT a.at, a.action, a.email, a.role, a.previous_role, actor.email AS actor_email
        FROM team_audit a LEFT JOIN customers actor ON actor.id = a.actor_id
        WHERE a.account_id = @AccountId
        ORDER BY a.at DESC, a.id DESC LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = "SELECT count(*) FROM team_audit WHERE account_id = @AccountId";

    public static Task AddAsync(UnitOfWork work, Guid accountId, Guid actorId, string action, string email, string? role, DateTimeOffset at, string? previousRole = null) =>
        work.ExecuteAsync(InsertSql, new
        {
            Id = Guid.CreateVersion7(), AccountId = accountId, At = at, ActorId = actorId, Action = action, Email = email, Role = role, PreviousRole = previousRole,
        });

    public static async Task<(IReadOnlyList<TeamAuditRow> Items, long Total)> PageAsync(UnitOfWork work, Guid accountId, int page, int pageSize)
    {
        var items = (await work.QueryAsync<TeamAuditRow>(PageSql, new { AccountId = accountId, Limit = pageSize, Offset = (page - 1) * pageSize })).ToList();
        return (items, await work.ExecuteScalarAsync<long>(CountSql, new { AccountId = accountId }));
    }
}
