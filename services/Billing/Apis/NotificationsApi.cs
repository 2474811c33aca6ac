using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

/// <summary>What we told the customer about their payments (renewal refused, suspended, terminated), newest first.</summary>
public static class NotificationsApi
{
    public static RouteGroupBuilder MapNotificationsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/notifications", ListAsync).RequireAuthorization();
        return api;
    }

    public static async Task<Ok<PagedList<NotificationRow>>> ListAsync([AsParameters] PageRequest pageRequest, ClaimsPrincipal user, InvoiceQueries queries, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await queries.NotificationsAsync(user.CustomerId(), paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<NotificationRow>(items, total, paging.Page, paging.PageSize));
    }
}
