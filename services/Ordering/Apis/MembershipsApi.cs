using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Teams;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Ordering.Apis;

/// <summary>An account the caller's login may act on; <c>current</c> is the one this credential acts on.</summary>
public sealed record MembershipDto(Guid AccountId, string AccountName, string AccountEmail, string Role, DateTimeOffset JoinedAt, bool Current);
public sealed record SignedInAcceptance(string? Token);
/// <summary>An access token for another of the login's accounts, in exchange for a valid one (RFC 8693's shape).</summary>
public sealed record AccountSwitch(string? AccessToken, Guid? AccountId);

/// <summary>
/// One login, several accounts (docs/teams.md): the login lists its memberships, accepts an invitation sent to its own
/// address while signed in, leaves an account, and exchanges its access token for one acting on another of its accounts. An API key acts
/// on its one account and cannot switch: the exchange takes an access token only.
/// </summary>
public static class MembershipsApi
{
    public static RouteGroupBuilder MapMembershipsApi(this RouteGroupBuilder api)
    {
        var memberships = api.MapGroup("/account/memberships").RequireAuthorization();
        memberships.MapGet("", ListAsync);
        // Any role may join another account: it changes nothing in the account acted on now.
        memberships.MapPost("", AcceptSignedInAsync).SelfAction();
        memberships.MapDelete("/{accountId:guid}", LeaveAsync).SelfAction();
        api.MapPost("/auth/switch", SwitchAsync);
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<MembershipDto>>, ForbidHttpResult>> ListAsync(ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (TeamApi.Actor(user) is not { } actor) return TypedResults.Forbid();
        await using var connection = await db.OpenAsync(ct);
        var rows = await Memberships.ListForLoginAsync(connection, actor.MemberId);
        return TypedResults.Ok<IReadOnlyList<MembershipDto>>(
            rows.Select(m => new MembershipDto(m.AccountId, m.AccountName, m.AccountEmail, m.Role, m.JoinedAt, m.AccountId == actor.AccountId)).ToList());
    }

    /// <summary>The invitation joins the signed-in login, if it was sent to that login's address; switch to the account to act on it.</summary>
    public static async Task<Results<Created<MembershipDto>, ValidationProblem, ProblemHttpResult, ForbidHttpResult>> AcceptSignedInAsync(
        SignedInAcceptance request, ClaimsPrincipal user, Team team, Database db, CancellationToken ct)
    {
        if (TeamApi.Actor(user) is not { } actor) return TypedResults.Forbid();
        var validation = new Validation().Required("token", request.Token, AccountLinksApi.MaxTokenLength);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var (joined, refusal) = await team.AcceptSignedInAsync(request.Token!.Trim(), actor.MemberId, ct);
        if (refusal is not null) return TeamApi.Refused(refusal);
        if (joined is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = [TeamApi.InvalidLink] });
        await using var connection = await db.OpenAsync(ct);
        var row = (await Memberships.ListForLoginAsync(connection, actor.MemberId)).Single(m => m.AccountId == joined.AccountId);
        return TypedResults.Created("/api/account/memberships", new MembershipDto(row.AccountId, row.AccountName, row.AccountEmail, row.Role, row.JoinedAt, false));
    }

    /// <summary>
    /// The login leaves one of its accounts (any role but the owner, who hands the account on first): that membership's
    /// tokens and keys end at once, as when a team removes it; the login's other accounts go on.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult, ForbidHttpResult>> LeaveAsync(Guid accountId, ClaimsPrincipal user, Team team, CancellationToken ct)
    {
        if (TeamApi.Actor(user) is not { } actor) return TypedResults.Forbid();
        return await team.LeaveAsync(actor.MemberId, accountId, ct) is { } refusal ? TeamApi.Refused(refusal) : TypedResults.NoContent();
    }

    /// <summary>Public like the log-in (the access token in the body is the credential): a token for another membership.</summary>
    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> SwitchAsync(
        AccountSwitch request, Sessions sessions, CustomerRepository customers, CancellationToken ct)
    {
        var validation = new Validation().Required("accessToken", request.AccessToken, 512)
            .Check("accountId", request.AccountId is not null && request.AccountId != Guid.Empty, "accountId is required: the account to act on.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var token = request.AccessToken!.Trim();
        var caller = await sessions.ResolveTokenAsync(token, ct);
        if (caller is not { MemberId: { } loginId } || caller.Role != Roles.Customer)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid access token",
                detail: "accessToken must be a valid, current customer access token (an API key acts on its one account and cannot switch).");
        }
        var login = await customers.FindByIdAsync(loginId, ct);
        return login is not null && await sessions.IssueAsync(login, request.AccountId!.Value, ct) is { } issued
            ? TypedResults.Ok(issued)
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not a member of that account",
                detail: "This login is no member of that account; GET /api/account/memberships lists the accounts it may act on.");
    }
}
