using Microsoft.AspNetCore.Http;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>An order's flow gathered from this service's records and every peer's <c>/internal/flow</c>.</summary>
public sealed class MessageFlow(ConsumedMessages records, ServiceSchema schema, PlatformPeers peers)
{
    public const string InternalPath = "/internal/flow";

    public async Task<OrderFlow> GatherAsync(HttpContext caller, Guid orderId, Guid serviceId, CancellationToken ct)
    {
        var own = await records.FlowAsync(schema.Name, orderId, serviceId, ct);
        var others = await peers.GatherAsync<FlowEvent>(caller, $"{InternalPath}?orderId={orderId}&serviceId={serviceId}", ct);
        // Time order; at the same instant a message's publication comes before its consumption.
        var events = own.Concat(others.Items)
            .OrderBy(e => e.At).ThenBy(e => e.Kind == FlowEvent.Published ? 0 : 1).ThenBy(e => e.Service, StringComparer.Ordinal)
            .ToList();
        // The order's trace is the one its first event (OrderPlaced, written by POST /api/orders) was published in.
        var traceId = events.FirstOrDefault(e => e.Kind == FlowEvent.Published && e.TraceId is not null)?.TraceId;
        return new OrderFlow(orderId, serviceId, traceId, events, others.Unavailable, others.PeerErrors);
    }
}
