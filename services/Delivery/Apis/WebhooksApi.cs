using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Webhooks;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Apis;

public sealed record WebhookRequest(string? Url, string[]? EventTypes);
public sealed record WebhookReplayRequest(DateTimeOffset? From, DateTimeOffset? To);
/// <summary>The endpoint with its signing secret: answered only when the secret is made (created or rotated).</summary>
public sealed record WebhookWithSecret(Guid Id, string Url, string[] EventTypes, DateTimeOffset CreatedAt, string Secret);

/// <summary>
/// A customer's HTTPS endpoints per service (docs/webhooks.md): signed JSON batches of delivery events, at least once,
/// in order, retried for 24 h then parked; the recent calls and failures; a replay of a time range.
/// </summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/api/services/{serviceId:guid}/webhooks").RequireAuthorization();
        webhooks.MapGet("", List);
        webhooks.MapPost("", Create);
        webhooks.MapDelete("/{webhookId:guid}", Remove);
        webhooks.MapPost("/{webhookId:guid}/secret", RotateSecret);
        webhooks.MapGet("/{webhookId:guid}/deliveries", Deliveries);
        webhooks.MapPost("/{webhookId:guid}/replay", Replay);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<Webhook>>, NotFound>> List(Guid serviceId, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        return TypedResults.Ok(await WebhookEndpoints.ListAsync(db, serviceId, ct));
    }

    private static async Task<Results<Created<WebhookWithSecret>, ValidationProblem, NotFound, ProblemHttpResult>> Create(
        Guid serviceId, WebhookRequest request, ClaimsPrincipal user, Database db, DkimKeyProtector protector, IOptions<WebhookOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var types = request.EventTypes ?? [];
        var refusal = WebhookUrl.Refusal(request.Url, options.Value.AllowInternalEndpoints);
        var validation = new Validation()
            .Check("url", refusal is null, refusal ?? "")
            .Check("eventTypes", types.Length > 0 && types.All(WebhookEventTypes.All.Contains),
                $"eventTypes must list one or more of {string.Join(", ", WebhookEventTypes.All)}.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var id = Guid.CreateVersion7();
        var secret = WebhookSecret.New();
        var url = request.Url!.Trim();
        var distinct = types.Distinct().ToArray();
        var now = time.GetUtcNow();
        if (!await WebhookEndpoints.AddAsync(db, id, serviceId, url, distinct, WebhookSecret.Protect(protector, secret, id), options.Value.MaxPerService, now, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many webhooks",
                detail: $"A service has at most {options.Value.MaxPerService} webhooks; remove one first.");
        }
        return TypedResults.Created($"/api/services/{serviceId}/webhooks/{id}", new WebhookWithSecret(id, url, distinct, now, secret));
    }

    private static async Task<Results<NoContent, NotFound>> Remove(Guid serviceId, Guid webhookId, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        return await WebhookEndpoints.RemoveAsync(db, serviceId, webhookId, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    /// <summary>A new secret from the next call on, shown once; the old one stops being used at once.</summary>
    private static async Task<Results<Ok<WebhookWithSecret>, NotFound>> RotateSecret(
        Guid serviceId, Guid webhookId, ClaimsPrincipal user, Database db, DkimKeyProtector protector, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var secret = WebhookSecret.New();
        // Read back by the UPDATE itself: an endpoint removed meanwhile is a 404, never a null.
        if (await WebhookEndpoints.SetSecretAsync(db, serviceId, webhookId, WebhookSecret.Protect(protector, secret, webhookId), ct) is not { } webhook)
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok(new WebhookWithSecret(webhook.Id, webhook.Url, webhook.EventTypes, webhook.CreatedAt, secret));
    }

    /// <summary>The recent calls, newest first: delivered, failed (tried again) and parked batches.</summary>
    private static async Task<Results<Ok<PagedList<WebhookDelivery>>, NotFound>> Deliveries(
        Guid serviceId, Guid webhookId, [AsParameters] PageRequest pageRequest, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct) || await WebhookEndpoints.FindAsync(db, serviceId, webhookId, ct) is null)
        {
            return TypedResults.NotFound();
        }
        var paging = pageRequest.Paging;
        var (items, total) = await WebhookEndpoints.DeliveriesAsync(db, webhookId, paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<WebhookDelivery>(items, total, paging.Page, paging.PageSize));
    }

    /// <summary>The service's events of [from, to) are sent again (marked "replay": true), beside the live ones.</summary>
    private static async Task<Results<Accepted, ValidationProblem, NotFound, ProblemHttpResult>> Replay(
        Guid serviceId, Guid webhookId, WebhookReplayRequest request, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct) || await WebhookEndpoints.FindAsync(db, serviceId, webhookId, ct) is null)
        {
            return TypedResults.NotFound();
        }
        var validation = new Validation()
            .Check("from", request.From is not null, "from is required (ISO 8601).")
            .Check("to", request.To is not null, "to is required (ISO 8601).")
            .Check("to", request.From is null || request.To is null || request.From < request.To, "to must be after from.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (!await WebhookEndpoints.StartReplayAsync(db, serviceId, webhookId, request.From!.Value, request.To!.Value, time.GetUtcNow(), ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Nothing to replay",
                detail: "The service has no delivery events in that range (events are kept for the retention period).");
        }
        return TypedResults.Accepted($"/api/services/{serviceId}/webhooks/{webhookId}/deliveries");
    }
}
