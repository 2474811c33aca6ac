using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Delivery.Apis;

/// <summary>A page of the audit log, newest first; <c>HasMore</c> instead of a total (the log is read from several tables).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int Page, int PageSize, bool HasMore);

/// <summary>
/// The service's audit log the customer can read (issue 20 §3): relay mode switches, SMTP password rotations, named
/// credentials made and revoked, queue actions, staff's sender-domain grants. The owner or an operator; anyone else 404.
/// </summary>
public static class ServiceAuditApi
{
    public static IEndpointRouteBuilder MapServiceAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/services/{serviceId:guid}/audit", Read).RequireAuthorization();
        return app;
    }

    private static async Task<Results<Ok<AuditPage>, NotFound>> Read(
        Guid serviceId, [AsParameters] PageRequest pageRequest, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.OwnerOrOperatorAsync(db, serviceId, user, ct)) return TypedResults.NotFound();
        var paging = pageRequest.Paging;
        // One row more than the page says whether there is a next page without counting.
        var rows = await ServiceAudit.PageAsync(db, serviceId, (paging.Page - 1) * paging.PageSize, paging.PageSize + 1, ct);
        return TypedResults.Ok(new AuditPage([.. rows.Take(paging.PageSize)], paging.Page, paging.PageSize, rows.Count > paging.PageSize));
    }
}
