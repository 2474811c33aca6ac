using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ProMTA.ServiceDefaults.Auth;

/// <summary>
/// The one place team roles are enforced, in every service: a customer member's change (any method but GET, HEAD and
/// OPTIONS) on a route that requires authorization is refused with 403 unless their role may make changes of the
/// route's <see cref="RouteKind"/>. It runs before the endpoint, so the refusal does not depend on the body (a
/// read-only member's malformed request is a 403 too, never a 400 that hints at what a valid one would do).
/// Staff are not team members and pass as before.
/// </summary>
internal sealed class TeamRoleGate(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || IsRead(context.Request.Method)
            || endpoint.Metadata.GetMetadata<IAuthorizeData>() is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
            || context.User.MemberRole() is not { } role)
        {
            return next(context);
        }
        var kind = endpoint.Metadata.GetMetadata<RouteKindMetadata>()?.Kind ?? RouteKind.Account;
        if (TeamRoles.MayChange(role, kind)) return next(context);
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed for your role",
            detail: kind == RouteKind.Billing
                ? $"Your team role ({role}) may not change billing; ask an owner, an admin or a billing member."
                : $"Your team role ({role}) may not make this change; ask an owner or an admin of the account.").ExecuteAsync(context);
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
}
