using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.Ordering.Teams;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Ordering.Apis;

public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);
/// <summary>
/// Who the caller is: <c>role</c> is customer, account-manager or operator; <c>staff</c> is true for the last two;
/// <c>emailVerified</c> once the link mailed at sign-up (or a password reset) was used. For a customer, <c>id</c> is
/// the caller's own login, <c>accountId</c> the customer account they act for and <c>teamRole</c> their role there
/// (owner, admin, billing, read-only; docs/teams.md); both are null for staff.
/// </summary>
public sealed record Me(Guid Id, string Email, string Name, string Role, bool Staff, bool EmailVerified, Guid? AccountId, string? TeamRole);

/// <summary>
/// A signed-in customer's or staff member's own credentials: change the password (which ends every access token
/// issued before it, answering with a fresh one) and log out everywhere. API keys are revoked one by one
/// (/api/api-keys); every change reaches the gateway's credential cache within <see cref="ApiKeysApi.RevocationDelay"/>.
/// </summary>
public static class AccountApi
{
    public static RouteGroupBuilder MapAccountApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", GetMeAsync).RequireAuthorization();
        api.MapPut("/account/password", ChangePasswordAsync).RequireAuthorization().SelfAction();
        api.MapPost("/auth/logout-everywhere", LogOutEverywhereAsync).RequireAuthorization().SelfAction();
        return api;
    }

    /// <summary>The portal asks this once per log-in to choose the navigation (issue 18), instead of probing a staff route.</summary>
    public static async Task<Results<Ok<Me>, NotFound>> GetMeAsync(ClaimsPrincipal user, CustomerRepository customers, CancellationToken ct)
    {
        var account = await customers.FindByIdAsync(user.MemberId(), ct);
        if (account is null) return TypedResults.NotFound();
        var customer = user.IsInRole(Roles.Customer);
        return TypedResults.Ok(new Me(account.Id, account.Email, account.Name, account.Role, account.Role is Roles.AccountManager or Roles.Operator,
            account.EmailVerifiedAt is not null, customer ? user.CustomerId() : null, customer ? user.MemberRole() : null));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, NotFound>> ChangePasswordAsync(
        PasswordChange request, ClaimsPrincipal user, CustomerRepository customers, Sessions sessions, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation()
            .Required("currentPassword", request.CurrentPassword, 200)
            .Required("newPassword", request.NewPassword, 200)
            .Check("newPassword", (request.NewPassword?.Length ?? 0) >= CustomersApi.MinPasswordLength,
                $"newPassword must be at least {CustomersApi.MinPasswordLength} characters.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var account = await customers.FindByIdAsync(user.MemberId(), ct);
        if (account is null) return TypedResults.NotFound();
        if (!PasswordHasher.Verify(request.CurrentPassword!, account.PasswordHash))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["currentPassword"] = ["currentPassword is wrong."] });
        }
        var now = time.GetUtcNow();
        await customers.ChangePasswordAsync(account.Id, PasswordHasher.Hash(request.NewPassword!), now, ct);
        // The fresh token acts on the account the caller was acting on.
        var issued = await sessions.IssueAsync(account with { TokensRevokedAt = now }, user.IsInRole(Roles.Customer) ? user.CustomerId() : null, ct);
        return issued is null ? TypedResults.NotFound() : TypedResults.Ok(issued);
    }

    public static async Task<NoContent> LogOutEverywhereAsync(ClaimsPrincipal user, CustomerRepository customers, TimeProvider time, CancellationToken ct)
    {
        await customers.RevokeTokensAsync(user.MemberId(), time.GetUtcNow(), ct);
        return TypedResults.NoContent();
    }
}
