using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.Ordering.Teams;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Ordering.Apis;

public sealed record TeamMemberDto(Guid Id, string Email, string Name, string Role, DateTimeOffset JoinedAt, bool AccountOwner, bool You);
public sealed record TeamInvitationDto(Guid Id, string Email, string Role, DateTimeOffset InvitedAt, DateTimeOffset ExpiresAt, string MailStatus);
/// <summary>The team as the caller sees it; <c>yourRole</c> tells the portal which actions to offer (the server decides anyway).</summary>
public sealed record TeamDto(string YourRole, IReadOnlyList<TeamMemberDto> Members, IReadOnlyList<TeamInvitationDto> Invitations);
public sealed record InvitationRequest(string? Email, string? Role);
public sealed record InvitationSent(string Email, string Role, string Message);
public sealed record RoleChange(string? Role);
/// <summary>Accepting on the public page: a new login gives name and password; an existing login gives its own password.</summary>
public sealed record InvitationAcceptance(string? Token, string? Name, string? Password);
/// <summary>The owner hands the account to <c>memberId</c>, confirming with their own password.</summary>
public sealed record OwnershipTransfer(Guid? MemberId, string? Password);
public sealed record TeamAuditEntryDto(DateTimeOffset At, string Action, string Email, string? Role, string? PreviousRole, string? By);

/// <summary>
/// Teams (docs/teams.md): an account's members, each with their own login and API keys, and a role (owner, admin,
/// billing, read-only) that the shared team-role gate enforces on every service's routes. Reading the team is open to
/// every member; changing it is for owners and admins (the gate), with owners-only rules checked by <see cref="Team"/>.
/// </summary>
public static class TeamApi
{
    internal const string InvalidLink = "This invitation is not valid any more: it was used, revoked, or expired. Ask for a new one.";

    public static RouteGroupBuilder MapTeamApi(this RouteGroupBuilder api)
    {
        var team = api.MapGroup("/account/team").RequireAuthorization();
        team.MapGet("", GetAsync);
        team.MapPost("/invitations", InviteAsync);
        team.MapDelete("/invitations/{invitationId:guid}", RevokeInvitationAsync);
        team.MapPut("/members/{memberId:guid}", ChangeRoleAsync);
        team.MapDelete("/members/{memberId:guid}", RemoveAsync);
        team.MapGet("/audit", AuditAsync);
        team.MapPost("/ownership", TransferOwnershipAsync);
        api.MapPost("/team/invitations/accept", AcceptAsync);
        return api;
    }

    public static async Task<Results<Ok<TeamDto>, ForbidHttpResult>> GetAsync(ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        if (Actor(user) is not { } actor) return TypedResults.Forbid();
        await using var work = await db.BeginAsync(ct);
        var members = await TeamMembers.ListAsync(work, actor.AccountId);
        var pending = await TeamMembers.PendingAsync(work, actor.AccountId, time.GetUtcNow());
        return TypedResults.Ok(new TeamDto(actor.Role,
            members.Select(m => new TeamMemberDto(m.Id, m.Email, m.Name, m.Role, m.CreatedAt, m.IsOwner, m.Id == actor.MemberId)).ToList(),
            pending.Select(i => new TeamInvitationDto(i.Id, i.Email, i.Role, i.CreatedAt, i.ExpiresAt, i.MailStatus)).ToList()));
    }

    public static async Task<Results<Accepted<InvitationSent>, ValidationProblem, ProblemHttpResult, ForbidHttpResult>> InviteAsync(
        InvitationRequest request, ClaimsPrincipal user, Team team, CancellationToken ct)
    {
        if (Actor(user) is not { } actor) return TypedResults.Forbid();
        var validation = new Validation().Email("email", request.Email).Required("role", request.Role, 20);
        CheckRole(validation, request.Role);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var email = request.Email!.Trim();
        if (await team.InviteAsync(actor, email, request.Role!, ct) is { } refusal) return Refused(refusal);
        return TypedResults.Accepted((string?)null, new InvitationSent(email, request.Role!, $"An invitation is on its way to {email}."));
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ForbidHttpResult>> RevokeInvitationAsync(
        Guid invitationId, ClaimsPrincipal user, Team team, CancellationToken ct)
    {
        if (Actor(user) is not { } actor) return TypedResults.Forbid();
        return await team.RevokeInvitationAsync(actor, invitationId, ct) is { } refusal ? Refused(refusal) : TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, ForbidHttpResult>> ChangeRoleAsync(
        Guid memberId, RoleChange request, ClaimsPrincipal user, Team team, CancellationToken ct)
    {
        if (Actor(user) is not { } actor) return TypedResults.Forbid();
        var validation = new Validation().Required("role", request.Role, 20);
        CheckRole(validation, request.Role);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        return await team.ChangeRoleAsync(actor, memberId, request.Role!, ct) is { } refusal ? Refused(refusal) : TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ForbidHttpResult>> RemoveAsync(
        Guid memberId, ClaimsPrincipal user, Team team, CancellationToken ct)
    {
        if (Actor(user) is not { } actor) return TypedResults.Forbid();
        return await team.RemoveAsync(actor, memberId, ct) is { } refusal ? Refused(refusal) : TypedResults.NoContent();
    }

    /// <summary>The team's history, for owners and admins (it names every member's address and who changed what).</summary>
    public static async Task<Results<Ok<PagedList<TeamAuditEntryDto>>, ProblemHttpResult, ForbidHttpResult>> AuditAsync(
        [AsParameters] PageRequest pageRequest, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (Actor(user) is not { } actor) return TypedResults.Forbid();
        if (actor.Role is not (TeamRoles.Owner or TeamRoles.Admin))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed for your role",
                detail: $"Your team role ({actor.Role}) may not read the team's audit log; owners and admins may.");
        }
        var paging = pageRequest.Paging;
        await using var work = await db.BeginAsync(ct);
        var (items, total) = await TeamAudit.PageAsync(work, actor.AccountId, paging.Page, paging.PageSize);
        return TypedResults.Ok(new PagedList<TeamAuditEntryDto>(
            items.Select(e => new TeamAuditEntryDto(e.At, e.Action, e.Email, e.Role, e.PreviousRole, e.ActorEmail)).ToList(), total, paging.Page, paging.PageSize));
    }

    /// <summary>
    /// Owner only (the owner's re-entered password confirms): the member becomes the account's one owner, the caller an
    /// admin. Both are in the team's history.
    /// </summary>
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult, ForbidHttpResult>> TransferOwnershipAsync(
        OwnershipTransfer request, ClaimsPrincipal user, Team team, CancellationToken ct)
    {
        if (Actor(user) is not { } actor) return TypedResults.Forbid();
        var validation = new Validation().Required("password", request.Password, 200)
            .Check("memberId", request.MemberId is not null && request.MemberId != Guid.Empty, "memberId is required: the member who becomes the owner.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        return await team.TransferOwnershipAsync(actor, request.MemberId!.Value, request.Password!, ct) is { } refusal ? Refused(refusal) : TypedResults.NoContent();
    }

    /// <summary>
    /// Public: a new invitee chooses their name and password; an address that already has a login proves it with that
    /// login's password. Either way the answer is an access token acting on the account joined.
    /// </summary>
    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> AcceptAsync(
        InvitationAcceptance request, Team team, Sessions sessions, CustomerRepository customers, CancellationToken ct)
    {
        var validation = new Validation()
            .Required("token", request.Token, AccountLinksApi.MaxTokenLength)
            .Optional("name", request.Name, 200)
            .Required("password", request.Password, 200)
            .Check("password", (request.Password?.Length ?? 0) >= CustomersApi.MinPasswordLength,
                $"password must be at least {CustomersApi.MinPasswordLength} characters.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim();
        var (joined, refusal) = await team.AcceptAsync(request.Token!.Trim(), name, request.Password!, ct);
        if (refusal is not null) return Refused(refusal);
        if (joined is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = [InvalidLink] });
        var login = await customers.FindByIdAsync(joined.LoginId, ct);
        return login is not null && await sessions.IssueAsync(login, joined.AccountId, ct) is { } issued
            ? TypedResults.Ok(issued)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Membership ended", detail: "The membership ended before a token could be issued.");
    }

    /// <summary>Team routes are for customers: staff belong to no team.</summary>
    internal static TeamActor? Actor(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Customer) && user.MemberRole() is { } role ? new TeamActor(user.CustomerId(), user.MemberId(), role) : null;

    private static void CheckRole(Validation validation, string? role) =>
        validation.Check("role", role is null || TeamRoles.IsKnown(role), $"role must be one of {string.Join(", ", TeamRoles.All)}.");

    internal static ProblemHttpResult Refused(TeamRefusal refusal) =>
        TypedResults.Problem(statusCode: refusal.Status, title: refusal.Title, detail: refusal.Detail);
}
