using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.ServiceDefaults.Messaging.DeadLetters;

internal static class DeadLetterEndpoints
{
    /// <summary>This service's _error queues, for Ordering's operator view; not routed by the gateway.</summary>
    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(DeadLetterAdmin.InternalPath).RequireAuthorization(StaffPolicy.OperatorName).ExcludeFromDescription();
        group.MapGet("", (DeadLetterQueues queues, CancellationToken ct) => queues.ListAsync(ct));
        group.MapPost("/{errorQueue}/messages/{messageId:guid}/replay", async Task<Results<Ok<ReplayResult>, NotFound>> (
            string errorQueue, Guid messageId, DeadLetterQueues queues, CancellationToken ct) =>
            await queues.ReplayAsync(errorQueue, messageId, ct) is { } replayed ? TypedResults.Ok(replayed) : TypedResults.NotFound());
        return app;
    }
}
