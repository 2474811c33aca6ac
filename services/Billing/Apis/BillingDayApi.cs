using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Consolidation;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

public sealed record BillingDayRequest(int? Day);

/// <summary>
/// One billing day for all of a customer's services (issue 17, section 5): <c>GET /api/account/billing-day[?day=]</c>
/// shows the chosen day, whether the customer may choose one (rule 8) and, with <c>day</c>, what choosing it would do
/// to each service; <c>PUT {"day": 1-28}</c> chooses it. A refusal is 409 with the reason; a bad day 400.
/// </summary>
public static class BillingDayApi
{
    public static RouteGroupBuilder MapBillingDayApi(this RouteGroupBuilder api)
    {
        var day = api.MapGroup("/account/billing-day").RequireAuthorization();
        day.MapGet("", GetAsync);
        day.MapPut("", PutAsync).BillingAction();
        return api;
    }

    public static async Task<Results<Ok<BillingDay>, ValidationProblem>> GetAsync(
        int? day, ClaimsPrincipal user, Database db, BillingDayChanger changer, CancellationToken ct)
    {
        if (day is not null && Invalid(day) is { } invalid) return invalid;
        // Read only: the transaction (locking the services for a consistent answer) is never committed.
        await using var work = await db.BeginAsync(ct);
        return TypedResults.Ok(await changer.CurrentAsync(work, user.CustomerId(), day));
    }

    public static async Task<Results<Ok<BillingDay>, ValidationProblem, ProblemHttpResult>> PutAsync(
        BillingDayRequest? request, ClaimsPrincipal user, Database db, BillingDayChanger changer, CancellationToken ct)
    {
        if (Invalid(request?.Day) is { } invalid) return invalid;
        await using var work = await db.BeginAsync(ct);
        if (await changer.ChooseAsync(work, user.CustomerId(), request!.Day!.Value) is { } refusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: refusal.Title, detail: refusal.Detail);
        }
        var result = await changer.CurrentAsync(work, user.CustomerId(), null);
        await work.CommitAsync(ct);
        return TypedResults.Ok(result);
    }

    private static ValidationProblem? Invalid(int? day)
    {
        var validation = new Validation().Check("day", day is >= CommonBillingDay.FirstDay and <= CommonBillingDay.LastDay,
            $"day must be a day of the month from {CommonBillingDay.FirstDay} to {CommonBillingDay.LastDay} (every month has it).");
        return validation.IsValid ? null : TypedResults.ValidationProblem(validation.Errors);
    }
}
