using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.Gateway.Auth;

/// <summary>
/// Authenticates "Authorization: Bearer &lt;API key or access token&gt;" by asking Ordering, which owns the
/// customers. Answers are cached briefly (by the credential's hash, never the credential itself) so a busy
/// client costs one lookup per half minute; a revoked key stops working within that time.
/// </summary>
public sealed class BearerIntrospectionHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IHttpClientFactory clients, IMemoryCache cache) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string ClientName = "ordering-introspection";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 512) return AuthenticateResult.Fail("malformed bearer token");

        var cacheKey = "caller:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (!cache.TryGetValue(cacheKey, out Caller? caller))
        {
            caller = await IntrospectAsync(token);
            cache.Set(cacheKey, caller, CacheFor);
        }
        if (caller is null) return AuthenticateResult.Fail("unknown or expired credential");
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, caller.CustomerId.ToString()), new Claim(ClaimTypes.Role, caller.Role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private async Task<Caller?> IntrospectAsync(string token)
    {
        using var response = await clients.CreateClient(ClientName).PostAsJsonAsync("/internal/auth/introspect", new { token }, Context.RequestAborted);
        if (response.StatusCode == HttpStatusCode.Unauthorized) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Caller>(Context.RequestAborted);
    }
}
