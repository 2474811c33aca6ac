using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Reputation;

public sealed record WatchedList(string Zone, string Kind, IReadOnlyList<string> Providers);

/// <summary>
/// A service's standing: what is watched, what is listed now, every listing before, and per dedicated IP and sending
/// domain the last <see cref="ReputationPanel.Window"/> of acceptance, deferrals and complaints (from <c>Since</c>).
/// </summary>
public sealed record ReputationView(
    IReadOnlyList<WatchedList> Blocklists, TimeSpan Interval, IReadOnlyList<BlocklistListing> Listed, IReadOnlyList<BlocklistListing> History,
    DateTimeOffset Since, IReadOnlyList<IpReputation> Addresses, IReadOnlyList<DomainReputation> Domains);

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
        Guid serviceId, ClaimsPrincipal user, Database db, IOptions<ReputationOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.OwnerOrOperatorAsync(db, serviceId, user, ct)) return TypedResults.NotFound();
        var history = await BlocklistListings.HistoryAsync(db, serviceId, HistoryLimit, ct);
        var listed = history.Where(l => l.DelistedAt is null).ToList();
        // Whole UTC days: the first day of the window is counted in full, like every other.
        var since = new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero) - ReputationPanel.Window + TimeSpan.FromDays(1);
        var addresses = ReputationPanel.Addresses(
            await ReputationTrends.SourceIpsAsync(db, serviceId, ct), await ReputationTrends.IpDaysAsync(db, serviceId, since, ct), listed);
        var domains = ReputationPanel.Domains(
            await ReputationTrends.SendingDomainsAsync(db, serviceId, ct), await ReputationTrends.DomainComplaintsAsync(db, serviceId, since, ct), listed);
        var settings = options.Value;
        return TypedResults.Ok(new ReputationView(
            [.. settings.Blocklists.Select(z => new WatchedList(z.Name, z.Kind, z.Providers))], settings.Interval,
            listed, history, since, addresses, domains));
    }
}
