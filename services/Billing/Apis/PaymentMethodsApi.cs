using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Stripe;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

public sealed record ReplaceCardRequest(string? PaymentMethodId);
public sealed record CardOnFile(string PaymentMethodId);

/// <summary>
/// Replaces the card on file (rule 7: a PaymentMethod id made on Stripe's side, never card data). Unpaid renewals
/// are tried with the new card on the scheduler's next run, which resumes a suspended service once paid.
/// </summary>
public static class PaymentMethodsApi
{
    public static RouteGroupBuilder MapPaymentMethodsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/payment-methods", ReplaceAsync).RequireAuthorization().BillingAction();
        api.MapGet("/payment-methods/current", CurrentAsync).RequireAuthorization();
        return api;
    }

    /// <summary>
    /// The caller's own card on file (brand, last 4, expiry), read from Stripe through the caller's own Stripe
    /// customer: there is no id to guess, and a customer without one (no order yet) gets 404.
    /// </summary>
    public static async Task<Results<Ok<CardSummary>, NotFound>> CurrentAsync(ClaimsPrincipal user, Database db, StripePayments stripe, CancellationToken ct)
    {
        string? stripeCustomer;
        await using (var work = await db.BeginAsync(ct))
        {
            stripeCustomer = await BillingRepository.FindStripeCustomerAsync(work, user.CustomerId());
        }
        var card = stripeCustomer is null ? null : await stripe.DefaultCardAsync(stripeCustomer, ct);
        return card is null ? TypedResults.NotFound() : TypedResults.Ok(card);
    }

    public static async Task<Results<Ok<CardOnFile>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        ReplaceCardRequest request, ClaimsPrincipal user, Database db, StripePayments stripe, BillingCalendar calendar, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation()
            .Required("paymentMethodId", request.PaymentMethodId, 255)
            .Check("paymentMethodId", request.PaymentMethodId?.StartsWith("pm_", StringComparison.Ordinal) ?? true, "paymentMethodId must be a Stripe PaymentMethod id (pm_...).");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var customerId = user.CustomerId();
        string? stripeCustomer;
        await using (var look = await db.BeginAsync(ct)) // read only, closed before Stripe is called (issue 20)
        {
            stripeCustomer = await BillingRepository.FindStripeCustomerAsync(look, customerId);
        }
        if (stripeCustomer is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No card on file yet",
                detail: "The card is given with the first order; order a product first.");
        }
        string attached;
        try
        {
            attached = await stripe.AttachPaymentMethodAsync(stripeCustomer, request.PaymentMethodId!, $"replace-{customerId}-{request.PaymentMethodId}", ct);
        }
        catch (global::Stripe.StripeException ex) when (ex.StripeError?.Type is "card_error" or "invalid_request_error")
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["paymentMethodId"] = [ex.StripeError.Message ?? "Stripe refused this card."] });
        }
        await using var work = await db.BeginAsync(ct);
        await RenewalRepository.ReplaceCardAsync(work, customerId, attached, calendar.LocalDate(time.GetUtcNow()));
        await work.CommitAsync(ct);
        return TypedResults.Ok(new CardOnFile(attached));
    }
}
