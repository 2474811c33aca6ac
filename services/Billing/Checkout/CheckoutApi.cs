using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Checkout;

public sealed record CheckoutRequest(string? SuccessUrl, string? CancelUrl);

/// <summary>
/// Card entry for the portal (rule 7): start a Stripe Checkout Session in setup mode, then read which PaymentMethod it
/// saved. The portal places the order (or replaces the card) with that id; Billing never sees card data.
/// </summary>
public static partial class CheckoutApi
{
    public static RouteGroupBuilder MapCheckoutApi(this RouteGroupBuilder api)
    {
        var checkout = api.MapGroup("/checkout-sessions").RequireAuthorization();
        checkout.MapPost("", StartAsync).BillingAction();
        checkout.MapGet("/{sessionId}", GetAsync);
        return api;
    }

    public static async Task<Results<Created<StartedCheckout>, ValidationProblem>> StartAsync(
        CheckoutRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, ClaimsPrincipal user,
        IOptions<BillingOptions> options, Database db, CheckoutSessions checkout, CancellationToken ct)
    {
        var portal = new Uri(options.Value.PortalUrl.TrimEnd('/') + "/");
        var successUrl = OnPortal(portal, request.SuccessUrl);
        var cancelUrl = OnPortal(portal, request.CancelUrl);
        var validation = new Validation()
            .Required("successUrl", request.SuccessUrl, 2000)
            .Check("successUrl", request.SuccessUrl is null || successUrl is not null, $"successUrl must be a path or a URL on the portal ({portal}).")
            .Required("cancelUrl", request.CancelUrl, 2000)
            .Check("cancelUrl", request.CancelUrl is null || cancelUrl is not null, $"cancelUrl must be a path or a URL on the portal ({portal}).")
            .Optional("Idempotency-Key", idempotencyKey, 255);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var customerId = user.CustomerId();
        string? stripeCustomerId;
        await using (var work = await db.BeginAsync(ct))
        {
            stripeCustomerId = await BillingRepository.FindStripeCustomerAsync(work, customerId);
        }
        var started = await checkout.StartAsync(customerId, stripeCustomerId, successUrl!, cancelUrl!, idempotencyKey, ct);
        return TypedResults.Created($"/api/checkout-sessions/{started.Id}", started);
    }

    /// <summary>Another customer's session (or an unknown one) is a 404, as for every resource.</summary>
    public static async Task<Results<Ok<CheckoutOutcome>, NotFound>> GetAsync(string sessionId, ClaimsPrincipal user, CheckoutSessions checkout, CancellationToken ct) =>
        SessionId().IsMatch(sessionId) && await checkout.FindAsync(user.CustomerId(), sessionId, ct) is { } outcome
            ? TypedResults.Ok(outcome)
            : TypedResults.NotFound();

    /// <summary>
    /// Stripe redirects the browser to these URLs, so only the portal's own origin is allowed (no open redirect).
    /// A path is taken relative to the portal; Stripe's {CHECKOUT_SESSION_ID} placeholder is kept as is.
    /// </summary>
    private static string? OnPortal(Uri portal, string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)) return new Uri(portal, url.TrimStart('/')).ToString().Replace("%7BCHECKOUT_SESSION_ID%7D", "{CHECKOUT_SESSION_ID}", StringComparison.Ordinal);
        return Uri.TryCreate(url, UriKind.Absolute, out var absolute)
            && Uri.Compare(absolute, portal, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            ? url
            : null;
    }

    [GeneratedRegex("^cs_[A-Za-z0-9_]{1,200}$")]
    private static partial Regex SessionId();
}
