using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.Ordering.Apis;

public sealed record IntrospectionRequest(string? Token);

/// <summary>
/// Internal: the gateway asks who a bearer credential (API key or access token) belongs to. Not routed by
/// the gateway, so it is unreachable from outside.
/// </summary>
public static class IntrospectionApi
{
    public static IEndpointRouteBuilder MapIntrospectionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/auth/introspect", IntrospectAsync);
        return app;
    }

    public static async Task<Results<Ok<Caller>, UnauthorizedHttpResult>> IntrospectAsync(
        IntrospectionRequest request, CustomerRepository customers, AccessTokens tokens, TimeProvider time, CancellationToken ct)
    {
        var token = request.Token ?? "";
        var now = time.GetUtcNow();
        if (tokens.Validate(token, now) is { } caller)
        {
            var account = await customers.FindByIdAsync(caller.CustomerId, ct);
            // The account as it is now: tokens revoked since, a disabled staff account, a removed member, a changed role.
            return account is null || account.IsDisabled || account.IsRemoved || AccessTokens.IsRevoked(AccessTokens.IssuedAt(token), account.TokensRevokedAt)
                ? TypedResults.Unauthorized()
                : TypedResults.Ok(account.AsCaller());
        }
        if (token.StartsWith(ApiKey.Prefix, StringComparison.Ordinal) && token.Length < 100
            && await customers.FindByApiKeyAsync(ApiKey.Hash(token), now, ct) is { } customer)
        {
            return TypedResults.Ok(customer.AsCaller());
        }
        return TypedResults.Unauthorized();
    }
}
