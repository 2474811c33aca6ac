using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Contracts.Billing;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Apis;

public sealed record CancellationDto(DateOnly EndsOn, DateOnly LastChargedPeriodEnd, bool ChargedAgain, DateTimeOffset CancelledAt);

/// <summary>
/// Cancelling one service (rules 5, 6, 11). Billing answers because it owns the calendar: the customer learns at
/// once when the service ends and whether it is charged again. Other services of the customer are untouched.
/// </summary>
public static class CancellationApi
{
    public static RouteGroupBuilder MapCancellationApi(this RouteGroupBuilder api)
    {
        var cancellation = api.MapGroup("/services/{serviceId:guid}/cancellation").RequireAuthorization();
        cancellation.MapPost("", CancelAsync);
        cancellation.MapDelete("", WithdrawAsync);
        return api;
    }

    /// <summary>Idempotent: cancelling a cancelled service answers the decision already made.</summary>
    public static async Task<Results<Ok<CancellationDto>, NotFound>> CancelAsync(
        Guid serviceId, ClaimsPrincipal user, Database db, CancellationPolicy policy, TimeProvider time, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var service = await CancellationRepository.FindForUpdateAsync(work, user.CustomerId(), serviceId);
        if (service is null) return TypedResults.NotFound();
        if (service is { CancelledAt: { } cancelledAt, LastDay: { } lastDay })
        {
            return TypedResults.Ok(new CancellationDto(lastDay, lastDay, service.ChargedAgain, cancelledAt));
        }

        var now = time.GetUtcNow();
        var outcome = policy.Decide(service.Calendar, now);
        await CancellationRepository.CancelAsync(work, serviceId, now, outcome.LastDay, outcome.ChargedAgain);
        await work.PublishAsync(new CancellationScheduled
        {
            OrderId = service.OrderId,
            ServiceId = serviceId,
            LastDay = outcome.LastDay,
            ChargedAgain = outcome.ChargedAgain,
            RequestedAt = now,
        });
        await work.CommitAsync(ct);
        return TypedResults.Ok(new CancellationDto(outcome.LastDay, outcome.LastDay, outcome.ChargedAgain, now));
    }

    /// <summary>A cancellation can be taken back until the service has ended.</summary>
    public static async Task<Results<NoContent, NotFound, ProblemHttpResult>> WithdrawAsync(
        Guid serviceId, ClaimsPrincipal user, Database db, BillingCalendar calendar, TimeProvider time, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var service = await CancellationRepository.FindForUpdateAsync(work, user.CustomerId(), serviceId);
        if (service is null) return TypedResults.NotFound();
        if (service.LastDay is not { } lastDay) return TypedResults.NoContent();
        var now = time.GetUtcNow();
        if (calendar.LocalDate(now) > lastDay)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Service already ended",
                detail: $"The service ended on {lastDay:yyyy-MM-dd}; order it again to continue.");
        }
        await CancellationRepository.WithdrawAsync(work, serviceId);
        await work.PublishAsync(new CancellationWithdrawn { OrderId = service.OrderId, ServiceId = serviceId, WithdrawnAt = now });
        await work.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}
