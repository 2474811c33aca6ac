using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ProMTA.ServiceDefaults.Auth;

/// <summary>Authenticates a request by the gateway's signed caller header.</summary>
internal sealed class GatewayCallerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, CallerToken tokens, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "GatewayCaller";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(CallerToken.HeaderName, out var header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var caller = tokens.Validate(header, time.GetUtcNow());
        if (caller is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid caller token"));
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, caller.CustomerId.ToString()), new Claim(ClaimTypes.Role, caller.Role)],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

public static class CallerExtensions
{
    /// <summary>The authenticated customer; only call on endpoints that require authorization.</summary>
    public static Guid CustomerId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("unauthenticated"));

    /// <summary>On a staff route: null for an operator (every customer), else the account manager's own id (their customers only).</summary>
    public static Guid? AccountManagerScope(this ClaimsPrincipal user) => user.IsInRole(Roles.Operator) ? null : user.CustomerId();
}
