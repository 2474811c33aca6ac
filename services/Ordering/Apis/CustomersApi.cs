using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Accounts;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.Ordering.Teams;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Ordering.Apis;

public sealed record SignupRequest(string? Email, string? Name, string? Password);
public sealed record SignupResponse(Guid Id, string ApiKey);
/// <summary>A log-in; <c>accountId</c> chooses which of the login's accounts the token acts on (default: its first, docs/teams.md).</summary>
public sealed record TokenRequest(string? Email, string? Password, Guid? AccountId = null);
public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt);

public static class CustomersApi
{
    public const int MinPasswordLength = 10;
    private static readonly Lazy<string> UnknownAccountHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString()));

    public static RouteGroupBuilder MapCustomersApi(this RouteGroupBuilder api)
    {
        api.MapPost("/customers", SignupAsync);
        api.MapPost("/auth/token", IssueTokenAsync);
        return api;
    }

    public static async Task<Results<Created<SignupResponse>, ValidationProblem, ProblemHttpResult>> SignupAsync(
        SignupRequest request, CustomerRepository customers, AccountLinkIssuer links, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation()
            .Email("email", request.Email)
            .Required("name", request.Name, 200)
            .Required("password", request.Password, 200)
            .Check("password", (request.Password?.Length ?? 0) >= MinPasswordLength, $"password must be at least {MinPasswordLength} characters.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var customer = new CustomerRow(Guid.CreateVersion7(), request.Email!.Trim(), request.Name!.Trim(), PasswordHasher.Hash(request.Password!), Roles.Customer);
        var apiKey = ApiKey.Create();
        if (!await customers.CreateAsync(customer, ApiKey.Hash(apiKey), ApiKey.PrefixOf(apiKey), links.Verification(customer.Id, customer.Email), time.GetUtcNow(), ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Email already registered",
                detail: "A customer with this email exists; log in with POST /api/auth/token.");
        }
        return TypedResults.Created($"/api/customers/{customer.Id}", new SignupResponse(customer.Id, apiKey));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, CustomerRepository customers, Sessions sessions, CancellationToken ct)
    {
        var validation = new Validation().Required("email", request.Email, 254).Required("password", request.Password, 200);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var customer = await customers.FindByEmailAsync(request.Email!.Trim(), ct);
        // An unknown email costs the same hashing as a wrong password, so the answer's timing does not tell them apart.
        // A removed team member's login is no login at all.
        if (!PasswordHasher.Verify(request.Password!, customer?.PasswordHash ?? UnknownAccountHash.Value) || customer is null || customer.IsRemoved)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials",
                detail: "The email or password is wrong.");
        }
        // Only once the password is proven: telling a guesser that an account is disabled would tell it exists.
        if (customer.IsDisabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Account disabled",
                detail: "This staff account was disabled by an operator.");
        }
        if (PasswordHasher.NeedsRehash(customer.PasswordHash)) await customers.RehashAsync(customer.Id, PasswordHasher.Hash(request.Password!), ct);
        return await sessions.IssueAsync(customer, request.AccountId, ct) is { } issued
            ? TypedResults.Ok(issued)
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not a member of that account",
                detail: "This login is no member of the account asked for; GET /api/account/memberships lists the accounts it may act on.");
    }
}
