using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Messaging.DeadLetters;

namespace ProMTA.Ordering.Apis;

/// <summary>
/// Messages that failed every retry, in every service's _error queues: listed with their exception for operators, and
/// replayed to their consumer once the cause is fixed.
/// </summary>
public static class DeadLettersApi
{
    public static RouteGroupBuilder MapDeadLettersApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/admin/dead-letters").RequireAuthorization(StaffPolicy.OperatorName);
        group.MapGet("", ListAsync);
        group.MapPost("/{errorQueue}/messages/{messageId:guid}/replay", ReplayAsync);
        return api;
    }

    public static async Task<Ok<DeadLetterReport>> ListAsync(HttpContext http, DeadLetterAdmin deadLetters, CancellationToken ct) =>
        TypedResults.Ok(await deadLetters.ReportAsync(http, ct));

    public static async Task<Results<Ok<ReplayResult>, NotFound>> ReplayAsync(
        string errorQueue, Guid messageId, HttpContext http, DeadLetterAdmin deadLetters, CancellationToken ct) =>
        await deadLetters.ReplayAsync(http, errorQueue, messageId, ct) is { } replayed ? TypedResults.Ok(replayed) : TypedResults.NotFound();
}
