using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Reputation;

public sealed record WatchedList(string Zone, string Kind, IReadOnlyList<string> Providers);

/// <summary>A service's standing with the blocklists: what is watched, what is listed now, and every listing before.</summary>
public sealed record ReputationView(IReadOnlyList<WatchedList> Blocklists, TimeSpan Interval, IReadOnlyList<BlocklistListing> Listed, IReadOnlyList<BlocklistListing> History);

public static class ReputationApi
{
    public const int HistoryLimit = 200;

    public static IEndpointRouteBuilder MapReputationApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/services/{serviceId:guid}/reputation", View).RequireAuthorization();
        return app;
    }

    /// <summary>The owner sees their service, an operator any; anyone else 404.</summary>
    private static async Task<Results<Ok<ReputationView>, NotFound>> View(
        Guid serviceId, ClaimsPrincipal user, Database db, IOptions<ReputationOptions> options, CancellationToken ct)
    {
        if (!await ServiceOwners.OwnerOrOperatorAsync(db, serviceId, user, ct)) return TypedResults.NotFound();
        var history = await BlocklistListings.HistoryAsync(db, serviceId, HistoryLimit, ct);
        var settings = options.Value;
        return TypedResults.Ok(new ReputationView(
            [.. settings.Blocklists.Select(z => new WatchedList(z.Name, z.Kind, z.Providers))], settings.Interval,
            [.. history.Where(l => l.DelistedAt is null)], history));
    }
}
