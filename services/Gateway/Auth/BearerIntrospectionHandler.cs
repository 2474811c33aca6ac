using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ProMTA.Gateway.RateLimits;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.Gateway.Auth;

/// <summary>
/// Authenticates "Authorization: Bearer &lt;API key or access token&gt;" by asking Ordering, which owns the
/// customers. Answers are cached briefly (by the credential's hash, never the credential itself) so a busy
/// client costs one lookup per half minute; a revoked key stops working within that time. A team member's answer is not
/// cached: a removed member is locked out at once. A credential that is not
/// in the cache, and was not verified within the last half minute, is only looked up while its client IP has
/// failed-credential budget left (<see cref="FailedCredentialLimiter"/>); past it the request is a 429 problem, not a lookup.
/// </summary>
public sealed class BearerIntrospectionHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IHttpClientFactory clients, IMemoryCache cache, FailedCredentialLimiter failures) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string ClientName = "ordering-introspection";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private static readonly object RetryAfterKey = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        var ip = GatewayRateLimiting.ClientIp(Context);

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var cacheKey = "caller:" + hash;
        var verifiedKey = "verified:" + hash;
        if (!cache.TryGetValue(cacheKey, out Caller? caller))
        {
            // The failed-credential budget is for credentials nobody verified: a customer's key that worked within the last
            // half minute is asked about again (not cached, below) but never waits behind someone else's made-up keys
            // from the same address.
            if (!cache.TryGetValue(verifiedKey, out _) && failures.Blocked(ip) is { } wait)
            {
                Context.Items[RetryAfterKey] = wait;
                return AuthenticateResult.Fail("too many unknown credentials from this client");
            }
            // Only the two credential shapes Ordering issues are worth a lookup; anything else fails at once (and counts).
            caller = IsWellFormed(token) ? await IntrospectAsync(token) : null;
            // A customer's credentials are asked about on every request, so a removed membership, a role change or an
            // ownership transfer takes effect at once (docs/teams.md: since ownership moves, no customer login is safe to
            // cache); staff credentials and unknown ones are cached.
            if (caller is not { MemberId: not null }) cache.Set(cacheKey, caller, CacheFor);
            if (caller is null) cache.Remove(verifiedKey);
            else cache.Set(verifiedKey, true, CacheFor);
        }
        if (caller is null)
        {
            failures.RecordFailure(ip);
            return AuthenticateResult.Fail("unknown or expired credential");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
    }

    /// <summary>A client over its failed-credential budget is told to wait (429), not that its credential is wrong.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[RetryAfterKey] is not TimeSpan wait)
        {
            await base.HandleChallengeAsync(properties);
            return;
        }
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed credentials",
            detail: $"Too many unknown API keys or tokens from this address; try again in {seconds} s.").ExecuteAsync(Context);
    }

    private static bool IsWellFormed(string token) =>
        token.Length is > 4 and <= 512 && (token.StartsWith("pmk_", StringComparison.Ordinal) || token.StartsWith("pat_", StringComparison.Ordinal))
        && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private async Task<Caller?> IntrospectAsync(string token)
    {
        using var response = await clients.CreateClient(ClientName).PostAsJsonAsync("/internal/auth/introspect", new { token }, Context.RequestAborted);
        if (response.StatusCode == HttpStatusCode.Unauthorized) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Caller>(Context.RequestAborted);
    }
}
