using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Accounts;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Ordering.Apis;

public sealed record PasswordResetRequest(string? Email);
public sealed record PasswordResetConfirmation(string? Token, string? NewPassword);
public sealed record EmailVerificationConfirmation(string? Token);
public sealed record LinkRequested(string Message);

/// <summary>
/// Forgot password and e-mail verification by a mailed link (docs/portal.md). The public routes answer alike whether
/// or not an account uses the address, and a link that is unknown, used or expired is one and the same 400.
/// </summary>
public static class AccountLinksApi
{
    public const int MaxTokenLength = 100;
    private const string InvalidLink = "This link is not valid any more: it was used, replaced by a newer one, or expired. Ask for a new one.";

    public static RouteGroupBuilder MapAccountLinksApi(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/password-reset", RequestResetAsync);
        api.MapPost("/auth/password-reset/confirm", ResetAsync);
        api.MapPost("/auth/email-verification/confirm", VerifyAsync);
        api.MapPost("/account/email-verification", RequestVerificationAsync).RequireAuthorization().SelfAction();
        return api;
    }

    public static async Task<Results<Accepted<LinkRequested>, ValidationProblem>> RequestResetAsync(
        PasswordResetRequest request, CustomerRepository customers, AccountLinkIssuer links, CancellationToken ct)
    {
        var validation = new Validation().Email("email", request.Email);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        // A disabled staff account gets nothing: an operator enables it; nor does a removed team member (only a new
        // invitation brings them back). Past the hourly limit nothing is mailed either.
        var account = await customers.FindByEmailAsync(request.Email!.Trim(), ct);
        if (account is { IsDisabled: false, IsRemoved: false }) await links.IssueAsync(account.Id, account.Email, LinkPurpose.PasswordReset, ct);
        return TypedResults.Accepted((string?)null, new LinkRequested(
            "If an account uses this address, a link to choose a new password is on its way. It works once, within the hour."));
    }

    public static async Task<Results<NoContent, ValidationProblem>> ResetAsync(
        PasswordResetConfirmation request, AccountLinkRedemption redemption, CancellationToken ct)
    {
        var validation = new Validation()
            .Required("token", request.Token, MaxTokenLength)
            .Required("newPassword", request.NewPassword, 200)
            .Check("newPassword", (request.NewPassword?.Length ?? 0) >= CustomersApi.MinPasswordLength,
                $"newPassword must be at least {CustomersApi.MinPasswordLength} characters.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        if (!await redemption.ResetPasswordAsync(request.Token!.Trim(), PasswordHasher.Hash(request.NewPassword!), ct))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = [InvalidLink] });
        }
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ValidationProblem>> VerifyAsync(
        EmailVerificationConfirmation request, AccountLinkRedemption redemption, CancellationToken ct)
    {
        var validation = new Validation().Required("token", request.Token, MaxTokenLength);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (!await redemption.VerifyEmailAsync(request.Token!.Trim(), ct))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = [InvalidLink] });
        }
        return TypedResults.NoContent();
    }

    /// <summary>A new verification link for the signed-in account (the first one expired or got lost).</summary>
    public static async Task<Results<Accepted<LinkRequested>, NotFound, ProblemHttpResult>> RequestVerificationAsync(
        ClaimsPrincipal user, CustomerRepository customers, AccountLinkIssuer links, CancellationToken ct)
    {
        var account = await customers.FindByIdAsync(user.MemberId(), ct);
        if (account is null) return TypedResults.NotFound();
        if (account.EmailVerifiedAt is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already verified", detail: $"{account.Email} is verified already.");
        }
        if (!await links.IssueAsync(account.Id, account.Email, LinkPurpose.EmailVerification, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many links",
                detail: "Several links were sent in the last hour: look for them (and in the spam folder), or try again later.");
        }
        return TypedResults.Accepted((string?)null, new LinkRequested($"A new link is on its way to {account.Email}."));
    }
}
