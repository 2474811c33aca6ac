using Microsoft.Extensions.Options;
using ProMTA.Ordering.Accounts;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Teams;

/// <summary>Who acts on a team: the account, their own login and their role there.</summary>
public sealed record TeamActor(Guid AccountId, Guid MemberId, string Role)
{
    public bool IsOwner => Role == TeamRoles.Owner;
}

/// <summary>A new member's first session, so the invitation page logs them in at once.</summary>
public sealed record JoinedTeam(Guid MemberId, Guid AccountId, string Role, DateTimeOffset IssuedAt);

/// <summary>
/// The team rules (docs/teams.md): owners do everything; admins everything except making owners and changing or
/// removing an owner; the login that opened the account is its owner for good. Each change and its audit entry
/// commit together; a removed member's login, tokens and API keys end in the same transaction.
/// </summary>
public sealed class Team(Database db, AccountLinkTokens tokens, IOptions<AccountLinkOptions> options, TimeProvider time)
{
    public async Task<TeamRefusal?> InviteAsync(TeamActor actor, string email, string role, CancellationToken ct)
    {
        if (role == TeamRoles.Owner && !actor.IsOwner) return TeamRefusal.OwnersOnly;
        var settings = options.Value;
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        if (await AccountLinks.LockAndCountAsync(work, actor.AccountId, LinkPurpose.TeamInvitation, now - TimeSpan.FromHours(1)) >= settings.InvitationsPerHour)
        {
            return TeamRefusal.TooManyInvitations;
        }
        if (await TeamMembers.IsMemberAsync(work, actor.AccountId, email)) return TeamRefusal.AlreadyMember;
        var id = Guid.CreateVersion7();
        await AccountLinks.InsertAsync(work, new NewAccountLink(id, actor.AccountId, LinkPurpose.TeamInvitation, tokens.HashFor(id), email,
            now + settings.InvitationLifetime, role, actor.MemberId), now);
        await TeamAudit.AddAsync(work, actor.AccountId, actor.MemberId, TeamAction.Invited, email, role, now);
        await work.CommitAsync(ct);
        return null;
    }

    public async Task<TeamRefusal?> RevokeInvitationAsync(TeamActor actor, Guid invitationId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var revoked = await TeamMembers.RevokeInvitationAsync(work, actor.AccountId, invitationId, now);
        if (revoked is null) return TeamRefusal.NoSuchInvitation;
        if (revoked.TeamRole == TeamRoles.Owner && !actor.IsOwner) return TeamRefusal.OwnersOnly;
        await TeamAudit.AddAsync(work, actor.AccountId, actor.MemberId, TeamAction.InvitationRevoked, revoked.Email, revoked.TeamRole, now);
        await work.CommitAsync(ct);
        return null;
    }

    public async Task<TeamRefusal?> ChangeRoleAsync(TeamActor actor, Guid memberId, string role, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var member = await TeamMembers.FindAsync(work, actor.AccountId, memberId);
        if (member is null) return TeamRefusal.NoSuchMember;
        if (member.IsAccount) return TeamRefusal.AccountOwner;
        if (!actor.IsOwner && (role == TeamRoles.Owner || member.Role == TeamRoles.Owner)) return TeamRefusal.OwnersOnly;
        if (member.Role == role) return null;
        await TeamMembers.ChangeRoleAsync(work, actor.AccountId, memberId, role);
        await TeamAudit.AddAsync(work, actor.AccountId, actor.MemberId, TeamAction.RoleChanged, member.Email, role, now, member.Role);
        await work.CommitAsync(ct);
        return null;
    }

    public async Task<TeamRefusal?> RemoveAsync(TeamActor actor, Guid memberId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var member = await TeamMembers.FindAsync(work, actor.AccountId, memberId);
        if (member is null) return TeamRefusal.NoSuchMember;
        if (member.IsAccount) return TeamRefusal.AccountOwner;
        if (!actor.IsOwner && member.Role == TeamRoles.Owner) return TeamRefusal.OwnersOnly;
        await TeamMembers.RemoveAsync(work, actor.AccountId, memberId, now);
        await TeamAudit.AddAsync(work, actor.AccountId, actor.MemberId, TeamAction.Removed, member.Email, member.Role, now);
        await work.CommitAsync(ct);
        return null;
    }

    /// <summary>
    /// Uses the invitation: a new login for the address, or a removed member's login back (with the new password).
    /// Null with <paramref name="refusal"/> null means the link is unknown, used or expired.
    /// </summary>
    public async Task<(JoinedTeam? Joined, TeamRefusal? Refusal)> AcceptAsync(string token, string name, string passwordHash, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var link = await AccountLinks.UseAsync(work, AccountLinkTokens.Hash(token), LinkPurpose.TeamInvitation, now);
        if (link is null) return (null, null);
        var role = link.TeamRole!;
        var existing = await TeamMembers.LoginByEmailAsync(work, link.Email);
        Guid memberId;
        if (existing is null)
        {
            memberId = Guid.CreateVersion7();
            // Two acceptances for one address at once: the unique address index lets one in, the other is told it has a login.
            if (!await TeamMembers.InsertAsync(work, memberId, link.Email, name, passwordHash, link.CustomerId, role, now)) return (null, TeamRefusal.LoginElsewhere);
        }
        else if (existing is { RemovedAt: not null, Role: Roles.Customer })
        {
            memberId = existing.Id;
            await TeamMembers.RejoinAsync(work, memberId, name, passwordHash, link.CustomerId, role, now);
        }
        else
        {
            // The link stays unused (nothing commits): once the address is free, the same mail still works.
            return (null, TeamRefusal.LoginElsewhere);
        }
        await TeamAudit.AddAsync(work, link.CustomerId, memberId, TeamAction.Joined, link.Email, role, now);
        await work.CommitAsync(ct);
        return (new JoinedTeam(memberId, link.CustomerId, role, existing is null ? now : AccessTokens.IssueTime(now, now)), null);
    }
}
