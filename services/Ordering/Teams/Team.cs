using Microsoft.Extensions.Options;
using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Accounts;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Ordering.Teams;

/// <summary>Who acts on a team: the account, their own login and their role there.</summary>
public sealed record TeamActor(Guid AccountId, Guid MemberId, string Role)
{
    public bool IsOwner => Role == TeamRoles.Owner;
}

/// <summary>The login and account an accepted invitation opened, so the page that accepted it can log in there at once.</summary>
public sealed record JoinedTeam(Guid LoginId, Guid AccountId, string Role);

/// <summary>
/// The team rules (docs/teams.md): every account has exactly one owner, who alone hands ownership on; owners and admins
/// invite, change roles and remove, but nobody changes or removes the owner. One login may belong to several accounts,
/// each membership with its own role. Each change and its audit entry commit together; a removed membership's tokens
/// and API keys end in the same transaction.
/// </summary>
public sealed class Team(Database db, AccountLinkTokens tokens, IOptions<AccountLinkOptions> options, TimeProvider time)
{
    public async Task<TeamRefusal?> InviteAsync(TeamActor actor, string email, string role, CancellationToken ct)
    {
        if (role == TeamRoles.Owner) return TeamRefusal.OneOwner;
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
        await TeamAudit.AddAsync(work, actor.AccountId, actor.MemberId, TeamAction.InvitationRevoked, revoked.Email, revoked.TeamRole, now);
        await work.CommitAsync(ct);
        return null;
    }

    public async Task<TeamRefusal?> ChangeRoleAsync(TeamActor actor, Guid memberId, string role, CancellationToken ct)
    {
        if (role == TeamRoles.Owner) return TeamRefusal.OneOwner;
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var member = await TeamMembers.FindAsync(work, actor.AccountId, memberId);
        if (member is null) return TeamRefusal.NoSuchMember;
        if (member.IsOwner) return TeamRefusal.TheOwner;
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
        if (member.IsOwner) return TeamRefusal.TheOwner;
        await TeamMembers.RemoveAsync(work, actor.AccountId, memberId, now);
        await TeamAudit.AddAsync(work, actor.AccountId, actor.MemberId, TeamAction.Removed, member.Email, member.Role, now);
        await work.CommitAsync(ct);
        return null;
    }

    /// <summary>A login leaves an account it belongs to (recorded in that team's history as a removal by themselves).</summary>
    public async Task<TeamRefusal?> LeaveAsync(Guid loginId, Guid accountId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var member = await TeamMembers.FindAsync(work, accountId, loginId);
        if (member is null) return TeamRefusal.NotAMember;
        if (member.IsOwner) return TeamRefusal.TheOwner;
        await TeamMembers.RemoveAsync(work, accountId, loginId, now);
        await TeamAudit.AddAsync(work, accountId, loginId, TeamAction.Removed, member.Email, member.Role, now);
        await work.CommitAsync(ct);
        return null;
    }

    /// <summary>
    /// The owner hands the account to another member, confirming with their own password (a stolen session alone cannot
    /// give the account away). The old owner stays as an admin; both changes and their audit entries commit together.
    /// </summary>
    public async Task<TeamRefusal?> TransferOwnershipAsync(TeamActor actor, Guid memberId, string password, CancellationToken ct)
    {
        if (!actor.IsOwner) return TeamRefusal.OwnersOnly;
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        // The owner's row first, then the member's: two transfers at once queue here, and the second finds no owner in its caller.
        if (await Memberships.LockOwnerAsync(work, actor.AccountId) != actor.MemberId) return TeamRefusal.OwnersOnly;
        var owner = await TeamMembers.LoginByIdAsync(work, actor.MemberId);
        if (owner is null || !PasswordHasher.Verify(password, owner.PasswordHash)) return TeamRefusal.WrongPassword;
        var member = await TeamMembers.FindAsync(work, actor.AccountId, memberId);
        if (member is null) return TeamRefusal.NoSuchMember;
        if (member.IsOwner) return TeamRefusal.AlreadyOwner;
        // Demote before promoting: the one-owner index holds at every statement.
        await TeamMembers.ChangeRoleAsync(work, actor.AccountId, actor.MemberId, TeamRoles.Admin);
        await TeamMembers.ChangeRoleAsync(work, actor.AccountId, memberId, TeamRoles.Owner);
        await TeamAudit.AddAsync(work, actor.AccountId, actor.MemberId, TeamAction.OwnershipTransferred, member.Email, TeamRoles.Owner, now, member.Role);
        await TeamAudit.AddAsync(work, actor.AccountId, actor.MemberId, TeamAction.RoleChanged, owner.Email, TeamRoles.Admin, now, TeamRoles.Owner);
        await work.PublishAsync(new AccountOwnerChanged { CustomerId = actor.AccountId, OwnerEmail = member.Email, ChangedAt = now });
        await work.CommitAsync(ct);
        return null;
    }

    /// <summary>
    /// Uses the invitation from its public page. An address without a login gets one (<paramref name="name"/> and
    /// <paramref name="password"/>); a login removed from every account comes back with this password; a login still in
    /// an account joins with its own password, proven here. Null with a null refusal: the link is unknown, used or expired.
    /// A refusal leaves the link unused (nothing commits).
    /// </summary>
    public async Task<(JoinedTeam? Joined, TeamRefusal? Refusal)> AcceptAsync(string token, string? name, string password, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var link = await AccountLinks.UseAsync(work, AccountLinkTokens.Hash(token), LinkPurpose.TeamInvitation, now);
        if (link is null) return (null, null);
        var existing = await TeamMembers.LoginByEmailAsync(work, link.Email);
        Guid loginId;
        if (existing is null)
        {
            if (name is null) return (null, TeamRefusal.NameRequired);
            loginId = Guid.CreateVersion7();
            // Two acceptances for one address at once: the unique address index lets one in, the other is asked to sign in.
            if (!await TeamMembers.InsertLoginAsync(work, loginId, link.Email, name, PasswordHasher.Hash(password), link.CustomerId, now)) return (null, TeamRefusal.ProveLogin);
        }
        else if (existing.Role != Roles.Customer)
        {
            return (null, TeamRefusal.StaffLogin);
        }
        else if (existing.Removed)
        {
            if (name is null) return (null, TeamRefusal.NameRequired);
            loginId = existing.Id;
            await TeamMembers.ReopenLoginAsync(work, loginId, name, PasswordHasher.Hash(password), now);
        }
        else if (PasswordHasher.Verify(password, existing.PasswordHash))
        {
            loginId = existing.Id;
        }
        else
        {
            // The link alone must not attach a stranger's login, nor set a password for a login someone uses.
            return (null, TeamRefusal.ProveLogin);
        }
        return await JoinAsync(work, link, loginId, now, ct);
    }

    /// <summary>
    /// Uses the invitation for the signed-in login: only when the invitation was sent to that login's own address.
    /// </summary>
    public async Task<(JoinedTeam? Joined, TeamRefusal? Refusal)> AcceptSignedInAsync(string token, Guid loginId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var link = await AccountLinks.UseAsync(work, AccountLinkTokens.Hash(token), LinkPurpose.TeamInvitation, now);
        if (link is null) return (null, null);
        var login = await TeamMembers.LoginByIdAsync(work, loginId);
        if (login is null || !string.Equals(login.Email, link.Email, StringComparison.OrdinalIgnoreCase)) return (null, TeamRefusal.NotYourInvitation);
        return await JoinAsync(work, link, loginId, now, ct);
    }

    private static async Task<(JoinedTeam?, TeamRefusal?)> JoinAsync(UnitOfWork work, UsedLink link, Guid loginId, DateTimeOffset now, CancellationToken ct)
    {
        var role = link.TeamRole!;
        if (!await Memberships.JoinAsync(work, loginId, link.CustomerId, role, now)) return (null, TeamRefusal.AlreadyJoined);
        await TeamAudit.AddAsync(work, link.CustomerId, loginId, TeamAction.Joined, link.Email, role, now);
        await work.CommitAsync(ct);
        return (new JoinedTeam(loginId, link.CustomerId, role), null);
    }
}
