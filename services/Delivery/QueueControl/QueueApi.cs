using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;
using ProMTA.MailPolicy.Providers;

namespace ProMTA.Delivery.QueueControl;

/// <summary>A lane to pause or resume: a provider, or the whole service when none is given.</summary>
public sealed record QueueLaneRequest(string? Provider);

public sealed record QueueLaneResult(string Provider, bool Held, bool Changed, long Recipients);

public sealed record QueuePurgeRequest(string? Provider, string? Domain, string? Sender, int? OlderThanMinutes, string? MessageId, bool All, bool DryRun)
{
    // A method, not a property: the platform's input check walks a request's properties and would name each field twice.
    public QueueFilter ToFilter() => new(Provider, Domain, Sender, OlderThanMinutes, MessageId, All);
}

public sealed record QueuePurgeResult(bool DryRun, long Matched, long Purged, long InFlight);

public sealed record QueueRequeueRequest(string? Provider, string? Domain, string? Sender, int? OlderThanMinutes, string? MessageId)
{
    public QueueFilter ToFilter() => new(Provider, Domain, Sender, OlderThanMinutes, MessageId, All: true);
}

public sealed record QueueRequeueResult(long Requeued);

public sealed record QueueView(
    IReadOnlyList<QueueHold> Holds, IReadOnlyList<ProviderQueue> Providers, IReadOnlyList<DomainQueue> Domains, IReadOnlyList<AgeBand> Ages,
    IReadOnlyList<QueueAction> RecentActions);

/// <summary>
/// Queue control for a service (issue 20, modelled on KumoMTA's kcli suspend/bounce and PowerMTA's queue commands):
/// the queue by provider, domain, age and state; pause and resume a provider lane or the whole service; purge by
/// filter with a dry-run count first; retry deferred mail now. The owner acts on their service, an operator on any;
/// a hold an operator placed is lifted only by an operator. Every change is in the audit log the view shows.
/// </summary>
public static class QueueApi
{
    /// <summary>How many recent actions the view shows.</summary>
    public const int RecentActionCount = 50;

    public static IEndpointRouteBuilder MapQueueApi(this IEndpointRouteBuilder app)
    {
        var queue = app.MapGroup("/api/services/{serviceId:guid}/queue").RequireAuthorization();
        queue.MapGet("", View);
        queue.MapPost("/pause", Pause);
        queue.MapPost("/resume", Resume);
        queue.MapPost("/purge", Purge);
        queue.MapPost("/requeue", Requeue);
        return app;
    }

    private static async Task<Results<Ok<QueueView>, NotFound>> View(Guid serviceId, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.OwnerOrOperatorAsync(db, serviceId, user, ct)) return TypedResults.NotFound();
        var inventory = await QueueInventory.ReadAsync(db, serviceId, time.GetUtcNow(), ct);
        return TypedResults.Ok(new QueueView(await QueueHolds.ListAsync(db, serviceId, ct), inventory.Providers, inventory.Domains, inventory.Ages,
            await QueueActions.RecentAsync(db, serviceId, RecentActionCount, ct)));
    }

    private static async Task<Results<Ok<QueueLaneResult>, ValidationProblem, NotFound>> Pause(
        Guid serviceId, QueueLaneRequest? request, ClaimsPrincipal user, Database db, ProviderCatalog providers, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.OwnerOrOperatorAsync(db, serviceId, user, ct)) return TypedResults.NotFound();
        if (Lane(request, providers) is not { } provider) return LaneProblem(providers);
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var parked = await QueueHolds.HoldAsync(work, serviceId, provider, user.Actor(), now);
        if (parked is { } count) await QueueActions.RecordAsync(work, serviceId, QueueActions.Pause, new { provider }, count, user.Actor(), now);
        await work.CommitAsync(ct);
        return TypedResults.Ok(new QueueLaneResult(provider, Held: true, Changed: parked is not null, parked ?? 0));
    }

    private static async Task<Results<Ok<QueueLaneResult>, ValidationProblem, NotFound, ProblemHttpResult>> Resume(
        Guid serviceId, QueueLaneRequest? request, ClaimsPrincipal user, Database db, ProviderCatalog providers, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.OwnerOrOperatorAsync(db, serviceId, user, ct)) return TypedResults.NotFound();
        if (Lane(request, providers) is not { } provider) return LaneProblem(providers);
        var hold = (await QueueHolds.ListAsync(db, serviceId, ct)).FirstOrDefault(h => h.Provider == provider);
        if (hold is not null && IsOperatorActor(hold.HeldBy) && !user.IsInRole(Roles.Operator))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Held by ProMTA staff",
                detail: "ProMTA staff paused this mail; only staff can resume it. Contact support.");
        }
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var released = await QueueHolds.ReleaseAsync(work, serviceId, provider);
        if (released is { } count) await QueueActions.RecordAsync(work, serviceId, QueueActions.Resume, new { provider }, count, user.Actor(), now);
        await work.CommitAsync(ct);
        return TypedResults.Ok(new QueueLaneResult(provider, Held: false, Changed: released is not null, released ?? 0));
    }

    /// <summary>A dry run answers the count only; a purge removes in slices and records one audit row with the total.</summary>
    private static async Task<Results<Ok<QueuePurgeResult>, ValidationProblem, NotFound>> Purge(
        Guid serviceId, QueuePurgeRequest request, ClaimsPrincipal user, Database db, ProviderCatalog providers, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.OwnerOrOperatorAsync(db, serviceId, user, ct)) return TypedResults.NotFound();
        var filter = request.ToFilter();
        var validation = filter.Validate(new Validation(), providers.Labels);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var now = time.GetUtcNow();
        var match = await QueueEdits.CountAsync(db, serviceId, filter, now, ct);
        if (request.DryRun) return TypedResults.Ok(new QueuePurgeResult(true, match.Matched, 0, match.InFlight));

        var reply = user.IsInRole(Roles.Operator)
            ? "Removed from the queue by ProMTA staff; it was not sent."
            : "Removed from the queue at the customer's request; it was not sent.";
        long purged = 0;
        int slice;
        do
        {
            // Each slice commits on its own: a purge of a large queue never holds the recipients locked for long.
            await using var work = await db.BeginAsync(ct);
            slice = await QueueEdits.PurgeSliceAsync(work, serviceId, filter, reply, now);
            purged += slice;
            await work.CommitAsync(ct);
        }
        while (slice == QueueEdits.Slice);
        await using (var audit = await db.BeginAsync(ct))
        {
            await QueueActions.RecordAsync(audit, serviceId, QueueActions.Purge, filter, purged, user.Actor(), now);
            await audit.CommitAsync(ct);
        }
        return TypedResults.Ok(new QueuePurgeResult(false, match.Matched, purged, match.InFlight));
    }

    private static async Task<Results<Ok<QueueRequeueResult>, ValidationProblem, NotFound>> Requeue(
        Guid serviceId, QueueRequeueRequest? request, ClaimsPrincipal user, Database db, ProviderCatalog providers, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.OwnerOrOperatorAsync(db, serviceId, user, ct)) return TypedResults.NotFound();
        var filter = (request ?? new QueueRequeueRequest(null, null, null, null, null)).ToFilter();
        var validation = filter.Validate(new Validation(), providers.Labels);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var requeued = await QueueEdits.RequeueAsync(work, serviceId, filter, now);
        await QueueActions.RecordAsync(work, serviceId, QueueActions.Requeue, filter with { All = false }, requeued, user.Actor(), now);
        await work.CommitAsync(ct);
        return TypedResults.Ok(new QueueRequeueResult(requeued));
    }

    /// <summary>The lane's provider, <see cref="QueueHolds.WholeService"/> when none is given, or null when it names no provider.</summary>
    private static string? Lane(QueueLaneRequest? request, ProviderCatalog providers) =>
        request?.Provider is not { } provider ? QueueHolds.WholeService : providers.Labels.Contains(provider) ? provider : null;

    private static ValidationProblem LaneProblem(ProviderCatalog providers) => TypedResults.ValidationProblem(new Dictionary<string, string[]>
    {
        ["provider"] = [$"provider must be one of {string.Join(", ", providers.Labels)}, or left out for the whole service."],
    });


    private static bool IsOperatorActor(string actor) => actor.StartsWith(Roles.Operator + ":", StringComparison.Ordinal);
}
