using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Ordering.Apis;

public sealed record SignupRequest(string? Email, string? Name, string? Password);
public sealed record SignupResponse(Guid Id, string ApiKey);
public sealed record TokenRequest(string? Email, string? Password);
public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt);

public static class CustomersApi
{
    public const int MinPasswordLength = 10;

    public static RouteGroupBuilder MapCustomersApi(this RouteGroupBuilder api)
    {
        api.MapPost("/customers", SignupAsync);
        api.MapPost("/auth/token", IssueTokenAsync);
        return api;
    }

    public static async Task<Results<Created<SignupResponse>, ValidationProblem, ProblemHttpResult>> SignupAsync(
        SignupRequest request, CustomerRepository customers, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation()
            .Email("email", request.Email)
            .Required("name", request.Name, 200)
            .Required("password", request.Password, 200)
            .Check("password", (request.Password?.Length ?? 0) >= MinPasswordLength, $"password must be at least {MinPasswordLength} characters.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var customer = new CustomerRow(Guid.CreateVersion7(), request.Email!.Trim(), request.Name!.Trim(), PasswordHasher.Hash(request.Password!), Roles.Customer);
        var apiKey = ApiKey.Create();
        if (!await customers.CreateAsync(customer, ApiKey.Hash(apiKey), ApiKey.PrefixOf(apiKey), time.GetUtcNow(), ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Email already registered",
                detail: "A customer with this email exists; log in with POST /api/auth/token.");
        }
        return TypedResults.Created($"/api/customers/{customer.Id}", new SignupResponse(customer.Id, apiKey));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, CustomerRepository customers, AccessTokens tokens, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("email", request.Email, 254).Required("password", request.Password, 200);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var customer = await customers.FindByEmailAsync(request.Email!.Trim(), ct);
        if (customer is null || !PasswordHasher.Verify(request.Password!, customer.PasswordHash))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials",
                detail: "The email or password is wrong.");
        }
        var now = time.GetUtcNow();
        return TypedResults.Ok(new TokenResponse(tokens.Create(new Caller(customer.Id, customer.Role), now), tokens.ExpiresAt(now)));
    }
}
