using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Apis;

/// <param name="Cancelled">True when the service is already cancelled: the other fields are then the decision made.</param>
/// <param name="Deadline">Cancel before this moment to avoid the next charge (rule 11); null once cancelled.</param>
public sealed record CancellationPreview(bool Cancelled, DateOnly EndsOn, bool ChargedAgain, DateTimeOffset? Deadline, DateTimeOffset? CancelledAt);

/// <summary>
/// What cancelling now would mean, before the customer confirms: the portal's cancel button states when the service
/// ends and whether it is charged again, decided by the same policy POST .../cancellation applies.
/// </summary>
public static class CancellationPreviewApi
{
    public static RouteGroupBuilder MapCancellationPreviewApi(this RouteGroupBuilder api)
    {
        api.MapGet("/services/{serviceId:guid}/cancellation", PreviewAsync).RequireAuthorization();
        return api;
    }

    public static async Task<Results<Ok<CancellationPreview>, NotFound>> PreviewAsync(
        Guid serviceId, ClaimsPrincipal user, Database db, CancellationPolicy policy, BillingCalendar calendar, TimeProvider time, CancellationToken ct)
    {
        // Read only: the transaction is never committed.
        await using var work = await db.BeginAsync(ct);
        var service = await CancellationRepository.FindForUpdateAsync(work, user.CustomerId(), serviceId);
        if (service is null) return TypedResults.NotFound();
        if (service is { CancelledAt: { } cancelledAt, LastDay: { } lastDay })
        {
            return TypedResults.Ok(new CancellationPreview(true, lastDay, service.ChargedAgain, null, cancelledAt));
        }
        var now = time.GetUtcNow();
        var outcome = policy.Decide(service.Calendar, now);
        var nextStart = BillingCalendar.PeriodStart(service.Calendar, CancellationPolicy.CurrentPeriodIndex(service.Calendar, calendar.LocalDate(now)) + 1);
        var deadline = calendar.CancellationDeadline(nextStart);
        return TypedResults.Ok(new CancellationPreview(false, outcome.LastDay, outcome.ChargedAgain, deadline > now ? deadline : null, null));
    }
}
