using StripeEmulator.Http;
using StripeEmulator.Store;

namespace StripeEmulator.PaymentIntents;

/// <summary>
/// Stands in for the bank's 3D Secure page that next_action points to. Opening it (a browser
/// follows the redirect with GET) completes the challenge; <c>?outcome=fail</c> fails it. Like
/// Stripe, it then sends the browser to return_url with payment_intent and redirect_status.
/// </summary>
public static class ThreeDSecureEndpoints
{
    public static IEndpointRouteBuilder MapThreeDSecureEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/_emulator/3ds/{id}/authenticate", [HttpMethods.Get, HttpMethods.Post], Authenticate);
        return routes;
    }

    private static IResult Authenticate(
        string id,
        string? outcome,
        HttpContext context,
        EmulatorStore store,
        PaymentIntentConfirmation confirmation)
    {
        var authenticated = !string.Equals(outcome, "fail", StringComparison.OrdinalIgnoreCase);
        var request = StripeRequestContext.From(context);
        var (intent, returnUrl) = store.Atomically(() =>
        {
            var pending = store.PaymentIntents.Get(id);
            var returnTo = pending.NextAction?.ReturnUrl;
            return (confirmation.CompleteAuthentication(pending, authenticated, request).Intent, returnTo);
        });

        if (returnUrl is null)
        {
            return StripeResults.Json(PaymentIntentJson.Render(intent));
        }

        var separator = returnUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var redirectStatus = intent.Status == PaymentIntentStatus.Succeeded ? "succeeded" : "failed";
        return Results.Redirect(
            $"{returnUrl}{separator}payment_intent={Uri.EscapeDataString(intent.Id)}&payment_intent_client_secret={Uri.EscapeDataString(intent.ClientSecret)}&redirect_status={redirectStatus}");
    }
}
