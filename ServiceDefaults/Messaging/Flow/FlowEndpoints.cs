using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.ServiceDefaults.Messaging.Flow;

internal static class FlowEndpoints
{
    /// <summary>What this service consumed and published about an order; Ordering gathers it for the staff flow view.</summary>
    public static IEndpointRouteBuilder MapMessageFlowEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet(MessageFlow.InternalPath, (Guid orderId, Guid serviceId, ConsumedMessages records, ServiceSchema schema, CancellationToken ct) =>
                records.FlowAsync(schema.Name, orderId, serviceId, ct))
            .RequireAuthorization(StaffPolicy.OperatorName)
            .ExcludeFromDescription();
        return app;
    }
}
