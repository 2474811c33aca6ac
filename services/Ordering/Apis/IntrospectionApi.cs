using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Domain;
using ProMTA.Ordering.Teams;
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
        IntrospectionRequest request, Sessions sessions, CancellationToken ct)
    {
        var token = request.Token ?? "";
        var caller = token.StartsWith(AccessTokens.Prefix, StringComparison.Ordinal) ? await sessions.ResolveTokenAsync(token, ct)
            : token.StartsWith(ApiKey.Prefix, StringComparison.Ordinal) && token.Length < 100 ? await sessions.ResolveKeyAsync(ApiKey.Hash(token), ct)
            : null;
        return caller is null ? TypedResults.Unauthorized() : TypedResults.Ok(caller);
    }
}
