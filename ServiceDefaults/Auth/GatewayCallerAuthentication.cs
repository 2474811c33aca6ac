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
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName)));
    }
}

public static class CallerExtensions
{
    public const string MemberIdClaim = "promta:member";
    public const string MemberRoleClaim = "promta:member-role";

    /// <summary>The principal the gateway and the services build from a caller, the same way in both.</summary>
    public static ClaimsPrincipal ToPrincipal(this Caller caller, string scheme)
    {
        List<Claim> claims = [new(ClaimTypes.NameIdentifier, caller.CustomerId.ToString()), new(ClaimTypes.Role, caller.Role)];
        if (caller.MemberId is { } member) claims.Add(new(MemberIdClaim, member.ToString()));
        if (caller.MemberRole is { } role) claims.Add(new(MemberRoleClaim, role));
        if (caller.MemberEmail is { } email) claims.Add(new(ClaimTypes.Email, email));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The caller a principal made by <see cref="ToPrincipal"/> stands for.</summary>
    public static Caller Caller(this ClaimsPrincipal user) =>
        new(user.CustomerId(), user.FindFirstValue(ClaimTypes.Role)!,
            user.FindFirstValue(MemberIdClaim) is { } member ? Guid.Parse(member) : null, user.FindFirstValue(MemberRoleClaim), user.FindFirstValue(ClaimTypes.Email));

    /// <summary>
    /// The login making the request: a team member's own id, else the account's (an owner's login is the account).
    /// Use it for the caller's own password, sessions and API keys; isolate data by <see cref="CustomerId"/>.
    /// </summary>
    public static Guid MemberId(this ClaimsPrincipal user) =>
        user.FindFirstValue(MemberIdClaim) is { } member ? Guid.Parse(member) : user.CustomerId();

    /// <summary>
    /// Who made a change, as audit tables record it: <c>customer:&lt;login id&gt;:&lt;address&gt;</c> for a customer's member
    /// (<c>customer:&lt;account id&gt;</c> from a token without one), else <c>&lt;staff role&gt;:&lt;staff id&gt;</c>.
    /// </summary>
    public static string Actor(this ClaimsPrincipal user) =>
        !user.IsInRole(Roles.Customer) ? $"{user.FindFirstValue(ClaimTypes.Role)}:{user.CustomerId()}"
        : user.FindFirstValue(ClaimTypes.Email) is { } email ? $"{Roles.Customer}:{user.MemberId()}:{email}"
        : $"{Roles.Customer}:{user.MemberId()}";

    /// <summary>A customer's team role (an owner's token from before teams counts as the owner); null for staff.</summary>
    public static string? MemberRole(this ClaimsPrincipal user) =>
        user.FindFirstValue(MemberRoleClaim) ?? (user.IsInRole(Roles.Customer) ? TeamRoles.Owner : null);

    /// <summary>The authenticated customer; only call on endpoints that require authorization.</summary>
    public static Guid CustomerId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("unauthenticated"));

    /// <summary>On a staff route: null for an operator (every customer), else the account manager's own id (their customers only).</summary>
    public static Guid? AccountManagerScope(this ClaimsPrincipal user) => user.IsInRole(Roles.Operator) ? null : user.CustomerId();
}
