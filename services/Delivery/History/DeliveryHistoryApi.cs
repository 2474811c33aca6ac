using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.History;

/// <summary>One bucket of one provider: what happened to recipients in [at, at + step).</summary>
public sealed record HistoryPoint(DateTimeOffset At, long Delivered, long Deferred, long Bounced, long Expired);
/// <summary>Every bucket of the range, zeros included, so a chart draws gaps as zero.</summary>
public sealed record ProviderHistory(string Provider, IReadOnlyList<HistoryPoint> Points);
/// <summary><c>from</c> and <c>to</c> are aligned to whole steps (UTC); <c>to</c> is exclusive.</summary>
public sealed record DeliveryHistoryResponse(Guid ServiceId, DateTimeOffset From, DateTimeOffset To, string Step, IReadOnlyList<ProviderHistory> Providers);

public static class DeliveryHistoryApi
{
    public static IEndpointRouteBuilder MapDeliveryHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/services/{serviceId:guid}/delivery/history", GetHistory).RequireAuthorization();
        return app;
    }

    /// <summary>
    /// Per provider, delivered/deferred/bounced/expired recipients per minute, hour or day, read from the buckets
    /// counted when the events were recorded. The owner, or an operator for any service; anyone else gets 404 (an
    /// account manager sees only their own customers, and Delivery does not know who those are).
    /// </summary>
    private static async Task<Results<Ok<DeliveryHistoryResponse>, ValidationProblem, NotFound>> GetHistory(
        Guid serviceId, string? from, string? to, string? step, ClaimsPrincipal user, Database db,
        IOptions<DeliveryHistoryOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!user.IsInRole(Roles.Operator) && !await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var (range, errors) = HistoryRange.Parse(from, to, step, time.GetUtcNow(), options.Value.MaxBuckets);
        if (range is null) return TypedResults.ValidationProblem(errors);

        var rows = await DeliveryHistory.RangeAsync(db, serviceId, range.Step, range.From, range.To, ct);
        var providers = rows.GroupBy(r => r.Provider, StringComparer.Ordinal).Select(g =>
        {
            var byBucket = g.ToDictionary(r => r.Bucket);
            return new ProviderHistory(g.Key, [.. range.Buckets().Select(at => byBucket.TryGetValue(at, out var r)
                ? new HistoryPoint(at, r.Delivered, r.Deferred, r.Bounced, r.Expired)
                : new HistoryPoint(at, 0, 0, 0, 0))]);
        }).ToList();
        return TypedResults.Ok(new DeliveryHistoryResponse(serviceId, range.From, range.To, range.Step, providers));
    }
}
