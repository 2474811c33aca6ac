using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Ordering.Apis;

public sealed record ApiKeyDto(Guid Id, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt);
public sealed record NewApiKeyDto(Guid Id, string ApiKey, DateTimeOffset? ExpiresAt);

/// <summary>
/// API keys: shown once at creation, listed by prefix, revoked at will. A customer's key lasts until revoked; a staff
/// member's expires after ApiKeys:StaffLifetime, since a forgotten staff key opens every customer's data. A customer's
/// key belongs to the membership the caller acts in (docs/teams.md): made while acting on account A, it acts on A only.
/// </summary>
public static class ApiKeysApi
{
    /// <summary>Revocation reaches the gateway's credential cache within this time.</summary>
    public static readonly TimeSpan RevocationDelay = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapApiKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").RequireAuthorization().SelfAction();
        keys.MapGet("", ListAsync);
        keys.MapPost("", CreateAsync);
        keys.MapDelete("/{keyId:guid}", RevokeAsync);
        return api;
    }

    public static async Task<Ok<PagedList<ApiKeyDto>>> ListAsync(ClaimsPrincipal user, ApiKeyRepository keys, CancellationToken ct)
    {
        var items = (await keys.ListAsync(user.MemberId(), Account(user), ct)).Select(k => new ApiKeyDto(k.Id, k.KeyPrefix, k.CreatedAt, k.RevokedAt, k.ExpiresAt)).ToList();
        return TypedResults.Ok(new PagedList<ApiKeyDto>(items, items.Count, 1, Math.Max(items.Count, 1)));
    }

    public static async Task<Created<NewApiKeyDto>> CreateAsync(
        ClaimsPrincipal user, ApiKeyRepository keys, IOptions<ApiKeyOptions> options, TimeProvider time, CancellationToken ct)
    {
        var key = ApiKey.Create();
        var id = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        DateTimeOffset? expiresAt = user.IsInRole(Roles.Customer) ? null : now + options.Value.StaffLifetime;
        await keys.AddAsync(id, user.MemberId(), Account(user), ApiKey.Hash(key), ApiKey.PrefixOf(key), now, expiresAt, ct);
        return TypedResults.Created($"/api/api-keys/{id}", new NewApiKeyDto(id, key, expiresAt));
    }

    public static async Task<Results<NoContent, NotFound>> RevokeAsync(Guid keyId, ClaimsPrincipal user, ApiKeyRepository keys, TimeProvider time, CancellationToken ct) =>
        await keys.RevokeAsync(user.MemberId(), Account(user), keyId, time.GetUtcNow(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>The account a customer's keys are for: the one the caller acts on now (staff keys belong to no account).</summary>
    private static Guid? Account(ClaimsPrincipal user) => user.IsInRole(Roles.Customer) ? user.CustomerId() : null;
}
