using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

public sealed record DisputeDto(string Id, Guid InvoiceId, long InvoiceNumber, Guid CustomerId, Guid ServiceId, decimal Amount, string Currency,
    string Reason, string Status, DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt)
{
    public static DisputeDto From(DisputeRow d) => new(d.Id, d.InvoiceId, d.InvoiceNumber, d.CustomerId, d.ServiceId, d.AmountMinor / 100m, d.Currency,
        d.Reason, d.Status, d.OpenedAt, d.ClosedAt);
}

/// <summary>Staff: the chargebacks to answer in Stripe (open ones by default), an account manager's own customers only.</summary>
public static class DisputesApi
{
    public static RouteGroupBuilder MapDisputesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/disputes", ListAsync).RequireAuthorization(StaffPolicy.Name);
        return api;
    }

    public static async Task<Ok<PagedList<DisputeDto>>> ListAsync(bool? open, [AsParameters] PageRequest pageRequest, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await DisputeRepository.ListAsync(db, user.AccountManagerScope(), open ?? true, paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<DisputeDto>(items.Select(DisputeDto.From).ToList(), total, paging.Page, paging.PageSize));
    }
}
