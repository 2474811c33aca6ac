using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.PlanChanges;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

/// <param name="ProductId">The product to move to; omitted: the current one (to change only the extra IPs).</param>
/// <param name="ExtraIps">Extra dedicated IPs on top of the product's (the add-on); omitted: as many as now.</param>
public sealed record PlanChangeRequest(string? ProductId, int? ExtraIps = null);

/// <summary>
/// Changing a service's plan (issue 17): <c>GET ...?productId=</c> previews what the change costs and when it takes
/// effect, <c>POST {"productId"}</c> makes it. Billing answers because it owns the calendar and the prices charged.
/// Another customer's service is 404; a refused change is 409 with the reason; a refused card 402 (nothing changed).
/// </summary>
public static class PlanChangeApi
{
    private const int ProductIdMaxLength = 100;

    public static RouteGroupBuilder MapPlanChangeApi(this RouteGroupBuilder api)
    {
        var change = api.MapGroup("/services/{serviceId:guid}/plan-change").RequireAuthorization();
        change.MapGet("", PreviewAsync);
        change.MapPost("", ChangeAsync);
        return api;
    }

    public static async Task<Results<Ok<PlanChangePreview>, NotFound, ValidationProblem, ProblemHttpResult>> PreviewAsync(
        Guid serviceId, string? productId, int? extraIps, ClaimsPrincipal user, Database db, PlanChanger changer, CancellationToken ct)
    {
        if (Invalid(productId, extraIps) is { } invalid) return invalid;
        // Read only: the transaction (holding the service's row lock for a consistent answer) is never committed.
        await using var work = await db.BeginAsync(ct);
        return await changer.PreviewAsync(work, user.CustomerId(), serviceId, Blank(productId), extraIps) switch
        {
            PlanChangeOutcome.Previewed p => TypedResults.Ok(p.Preview),
            var other => Refusal<PlanChangePreview>(other),
        };
    }

    public static async Task<Results<Ok<PlanChangeResult>, NotFound, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        Guid serviceId, PlanChangeRequest? request, ClaimsPrincipal user, PlanChanger changer, CancellationToken ct)
    {
        if (Invalid(request?.ProductId, request?.ExtraIps) is { } invalid) return invalid;
        // The changer opens its own transactions: an upgrade's card charge runs between two of them, never inside one.
        return await changer.ApplyAsync(user.CustomerId(), serviceId, Blank(request!.ProductId), ct, request.ExtraIps) switch
        {
            PlanChangeOutcome.Done d => TypedResults.Ok(d.Result),
            var other => Refusal<PlanChangeResult>(other),
        };
    }

    private static ValidationProblem? Invalid(string? productId, int? extraIps)
    {
        var validation = extraIps is null
            ? new Validation().Required("productId", productId, ProductIdMaxLength) // nothing asked for otherwise
            : new Validation().Optional("productId", productId, ProductIdMaxLength)
                .Check("extraIps", extraIps is >= 0 and <= PlanChangeRules.MaxExtraIps, $"extraIps must be between 0 and {PlanChangeRules.MaxExtraIps}.");
        return validation.IsValid ? null : TypedResults.ValidationProblem(validation.Errors);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Results<Ok<T>, NotFound, ValidationProblem, ProblemHttpResult> Refusal<T>(PlanChangeOutcome outcome) => outcome switch
    {
        PlanChangeOutcome.NotFound => (Results<Ok<T>, NotFound, ValidationProblem, ProblemHttpResult>)TypedResults.NotFound(),
        PlanChangeOutcome.UnknownProduct u => TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["productId"] = [$"productId {u.ProductId} is not a product of the catalogue (GET /api/products lists them)."],
        }),
        PlanChangeOutcome.Refused r => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: r.Refusal.Title, detail: r.Refusal.Detail),
        PlanChangeOutcome.Declined d => TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired, title: "Payment declined", detail: d.Reason),
        _ => throw new InvalidOperationException($"Unexpected plan change outcome {outcome.GetType().Name}"),
    };
}
