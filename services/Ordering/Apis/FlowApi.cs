using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Messaging.Flow;

namespace ProMTA.Ordering.Apis;

/// <summary>For operators following an order: every message about it, published and consumed, across all services.</summary>
public static class FlowApi
{
    public static RouteGroupBuilder MapFlowApi(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/orders/{orderId:guid}/flow", GetAsync).RequireAuthorization(StaffPolicy.OperatorName);
        return api;
    }

    public static async Task<Results<Ok<OrderFlow>, NotFound>> GetAsync(
        Guid orderId, HttpContext http, OrderRepository orders, MessageFlow flow, CancellationToken ct)
    {
        var order = await orders.FindAnyAsync(orderId, ct);
        if (order is null) return TypedResults.NotFound();
        return TypedResults.Ok(await flow.GatherAsync(http, order.Id, order.ServiceId, ct));
    }
}
