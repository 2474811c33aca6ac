using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Events;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Shaping;

namespace ProMTA.Delivery.Apis;

public sealed record SmtpPasswordResponse(string Username, string Password);
/// <summary>Per-recipient delivery events of one provider, by type (an address deferred three times counts three deferrals).</summary>
public sealed record EventCounts(long Accepted, long Delivered, long Deferred, long Bounced, long Expired);
/// <summary>
/// The service's standing at one provider over the controller's window (an hour): <c>Verdict</c> <c>Unknown</c> (too few
/// attempts to judge), <c>Clean</c>, <c>Fair</c>, <c>SlowedDown</c> (bounce or complaint rate above the slow-down line: a share
/// of the lane's rate) or <c>Suspended</c> (above the suspension line: nothing goes to the provider until <c>SuspendedUntil</c>).
/// </summary>
public sealed record ProviderReputation(string Verdict, double BounceRate, double ComplaintRate, DateTimeOffset? SuspendedUntil);
public sealed record ProviderDelivery(
    string Provider, long Sent, long Deferred, long Bounced, long QueueDepth, string State, int? CurrentRateLimit, EventCounts Events, EventCounts RecentEvents,
    ProviderReputation? Reputation = null);
/// <summary><c>Events</c> counts everything kept (<c>EventRetentionDays</c>); <c>RecentEvents</c> the last <c>RecentWindowHours</c>.</summary>
public sealed record DeliveryResponse(
    Guid ServiceId, string RelayMode, IReadOnlyList<ProviderDelivery> Providers, double RecentWindowHours, double EventRetentionDays);
public sealed record RelayModeRequest(string? Mode);
public sealed record SuppressionRequest(string? Address);
public sealed record RelayModeResponse(Guid ServiceId, string Mode, string? Warning);

public static class RelayApi
{
    public static IEndpointRouteBuilder MapRelayApi(this IEndpointRouteBuilder app)
    {
        var services = app.MapGroup("/api/services/{serviceId:guid}").RequireAuthorization();
        services.MapPost("/smtp-password", RotatePassword);
        services.MapGet("/delivery", GetDelivery);
        services.MapPut("/relay-mode", SetRelayMode);
        services.MapGet("/suppressions", ListSuppressions);
        services.MapPost("/suppressions", AddSuppression);
        services.MapDelete("/suppressions/{address}", RemoveSuppression);
        app.MapGet("/api/admin/relay-mode-changes", ListRelayModeChanges).RequireAuthorization(StaffPolicy.OperatorName);
        return app;
    }

    /// <summary>Operators: every switch between managed and unmanaged relay (who, when, from, to), newest first; one service with ?serviceId=.</summary>
    private static async Task<Ok<PagedList<RelayModeChange>>> ListRelayModeChanges(Guid? serviceId, [AsParameters] PageRequest pageRequest, Database db, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await RelayModeChanges.ListAsync(db, serviceId, paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<RelayModeChange>(items, total, paging.Page, paging.PageSize));
    }

    /// <summary>A new password every call, shown once; only its hash is kept.</summary>
    private static async Task<Results<Ok<SmtpPasswordResponse>, NotFound, ProblemHttpResult>> RotatePassword(
        Guid serviceId, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var account = await RelayAccounts.FindAsync(db, serviceId, ct);
        if (account is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Relay not live yet",
                detail: "The relay account is created when the service goes live (after reverse DNS propagates).");
        }
        var password = RelayPassword.New();
        await RelayAccounts.SetPasswordHashAsync(db, serviceId, PasswordHasher.HashRandomSecret(password), user.Actor(), time.GetUtcNow(), ct);
        return TypedResults.Ok(new SmtpPasswordResponse(account.Username, password));
    }

    /// <summary>Per provider: what was sent, deferred and bounced, the delivery events by type, and what the throttling controller learned.</summary>
    private static async Task<Results<Ok<DeliveryResponse>, NotFound>> GetDelivery(
        Guid serviceId, ClaimsPrincipal user, Database db, ThrottleController throttle, IOptions<DeliveryEventOptions> events, TimeProvider time,
        CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var statistics = await MessageQueue.StatisticsAsync(db, serviceId, ct);
        var counts = await DeliveryEvents.CountsAsync(db, serviceId, time.GetUtcNow() - events.Value.RecentWindow, ct);
        var account = await RelayAccounts.FindAsync(db, serviceId, ct);
        var snapshot = throttle.Snapshot();
        var lanes = snapshot.Lanes.Where(l => account?.SourceIps.Contains(l.SourceIp) == true).ToList();
        var tenants = snapshot.Tenants.Where(t => t.Tenant == serviceId.ToString()).ToDictionary(t => t.Provider);
        // A provider whose queued mail is gone but whose events are kept is still listed.
        var providers = statistics.Concat(counts.Select(c => c.Provider).Distinct().Where(p => statistics.All(s => s.Provider != p))
            .Select(p => new ProviderStatistics { Provider = p })).OrderBy(s => s.Provider, StringComparer.Ordinal);
        return TypedResults.Ok(new DeliveryResponse(serviceId, account?.RelayMode ?? "managed", [.. providers.Select(s =>
        {
            // The service's dedicated IPs each have a lane per provider; the slowest one is what the customer feels.
            var shapedAs = throttle.Providers.ForLabel(s.Provider).Name;
            var lane = lanes.Where(l => l.Provider == shapedAs).MinBy(l => l.RatePerMinute);
            var mine = counts.Where(c => c.Provider == s.Provider).ToList();
            var reputation = tenants.GetValueOrDefault(shapedAs) is { } t
                ? new ProviderReputation(t.Verdict.ToString(), t.BounceRate, t.ComplaintRate, t.SuspendedUntil) : null;
            return new ProviderDelivery(s.Provider, s.Sent, s.Deferred, s.Bounced, s.QueueDepth, lane?.Mode.ToString() ?? "Normal",
                lane is null ? null : (int)Math.Round(lane.RatePerMinute), Tally(mine, c => c.Total), Tally(mine, c => c.Recent), reputation);
        })], events.Value.RecentWindow.TotalHours, events.Value.Retention.TotalDays));
    }

    private static EventCounts Tally(IReadOnlyList<EventCount> counts, Func<EventCount, long> value)
    {
        long Of(string e) => counts.Where(c => c.Event == e).Sum(value);
        return new(Of(DeliveryEvent.Accepted), Of(DeliveryEvent.Delivered), Of(DeliveryEvent.Deferred), Of(DeliveryEvent.Bounced), Of(DeliveryEvent.Expired));
    }

    /// <summary>Rule 18: managed (adaptive throttling) or unmanaged (full speed, only hard safety caps), per service.</summary>
    private static async Task<Results<Ok<RelayModeResponse>, ValidationProblem, NotFound, ProblemHttpResult>> SetRelayMode(
        Guid serviceId, RelayModeRequest request, ClaimsPrincipal user, Database db, ThrottleController throttle, TimeProvider time,
        ILoggerFactory logs, CancellationToken ct)
    {
        if (request.Mode is not ("managed" or "unmanaged"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["mode"] = ["mode must be \"managed\" or \"unmanaged\"."] });
        }
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        if (await RelayAccounts.FindAsync(db, serviceId, ct) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Relay not live yet",
                detail: "The relay mode can be chosen once the service is live.");
        }
        await RelayAccounts.SetRelayModeAsync(db, serviceId, request.Mode, user.Actor(), time.GetUtcNow(), ct);
        throttle.SetRelayMode(serviceId.ToString(), request.Mode == "unmanaged" ? RelayMode.Unmanaged : RelayMode.Managed);
        logs.CreateLogger("ProMTA.Delivery.RelayMode").LogInformation("Relay mode of {ServiceId} set to {Mode} by {CustomerId}", serviceId, request.Mode, user.CustomerId());
        return TypedResults.Ok(new RelayModeResponse(serviceId, request.Mode,
            request.Mode == "unmanaged" ? "Unmanaged relay sends at full speed without adapting to each ISP: deliverability may suffer." : null));
    }

    /// <summary>The service's suppression list: addresses that hard-bounced (user unknown) or complained, and manual ones, newest first.</summary>
    private static async Task<Results<Ok<PagedList<Suppression>>, NotFound>> ListSuppressions(
        Guid serviceId, [AsParameters] PageRequest pageRequest, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var paging = pageRequest.Paging;
        var (items, total) = await Suppressions.ListAsync(db, serviceId, paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<Suppression>(items, total, paging.Page, paging.PageSize));
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound>> AddSuppression(
        Guid serviceId, SuppressionRequest request, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Email("address", request.Address);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        await Suppressions.AddAsync(db, serviceId, request.Address!.Trim(), SuppressionReason.Manual, "added by the customer", time.GetUtcNow(), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> RemoveSuppression(Guid serviceId, string address, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        return await Suppressions.RemoveAsync(db, serviceId, address, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }
}
