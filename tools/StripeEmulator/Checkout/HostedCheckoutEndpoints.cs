using System.Text;
using StripeEmulator.Errors;
using StripeEmulator.Http;
using StripeEmulator.PaymentMethods;
using StripeEmulator.SetupIntents;
using StripeEmulator.Store;
using StripeEmulator.Webhooks;

namespace StripeEmulator.Checkout;

/// <summary>
/// The hosted page at a Checkout Session's <c>url</c>. Submitting a test card number saves it the way Checkout in
/// setup mode does (a PaymentMethod, attached when the session has a customer, and a succeeded SetupIntent), sends
/// setup_intent.succeeded and checkout.session.completed, and redirects to success_url with the session id.
/// </summary>
public static class HostedCheckoutEndpoints
{
    private const string SessionIdPlaceholder = "{CHECKOUT_SESSION_ID}";

    public static IEndpointRouteBuilder MapHostedCheckoutEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/c/pay/{id}", Show);
        routes.MapPost("/c/pay/{id}", SubmitAsync);
        return routes;
    }

    private static IResult Show(string id, EmulatorStore store, TimeProvider clock)
    {
        var session = store.CheckoutSessions.Find(id);
        if (session is null) return Html(HostedCheckoutPage.Closed("unknown"), StatusCodes.Status404NotFound);
        var status = session.StatusAt(clock.GetUtcNow().ToUnixTimeSeconds());
        return status == CheckoutSession.Open ? Html(HostedCheckoutPage.Form(session, null, null)) : Html(HostedCheckoutPage.Closed(status), StatusCodes.Status410Gone);
    }

    private static async Task<IResult> SubmitAsync(string id, HttpContext context, EmulatorStore store, WebhookPublisher webhooks, TimeProvider clock)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var now = clock.GetUtcNow();
        var session = store.CheckoutSessions.Find(id);
        if (session is null) return Html(HostedCheckoutPage.Closed("unknown"), StatusCodes.Status404NotFound);
        if (session.StatusAt(now.ToUnixTimeSeconds()) == CheckoutSession.Complete) return Results.Redirect(SuccessUrl(session), permanent: false);

        var name = form["cardholder"].ToString();
        var card = TestCardNumbers.Find(form["cardNumber"]);
        var error = card is null
            ? "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing."
            : HostedCheckoutPage.Validate(form["expiry"], form["cvc"], now);
        if (error is not null) return Html(HostedCheckoutPage.Form(session, error, name), StatusCodes.Status402PaymentRequired);

        CheckoutSession completed;
        SetupIntent setupIntent;
        try
        {
            (completed, setupIntent) = store.Atomically(() => Complete(store, id, card!, name, now));
        }
        catch (StripeErrorException closed)
        {
            return Html(HostedCheckoutPage.Closed(closed.Error.Message), StatusCodes.Status410Gone);
        }

        var baseUrl = StripeRequestContext.From(context).BaseUrl;
        webhooks.Publish("setup_intent.succeeded", SetupIntentJson.Render(setupIntent), null);
        webhooks.Publish("checkout.session.completed", CheckoutSessionJson.Render(completed, now.ToUnixTimeSeconds(), baseUrl), null);
        return Results.Redirect(SuccessUrl(completed), permanent: false);
    }

    private static (CheckoutSession, SetupIntent) Complete(EmulatorStore store, string id, TestCard card, string name, DateTimeOffset now)
    {
        var session = store.CheckoutSessions.Find(id)!;
        var status = session.StatusAt(now.ToUnixTimeSeconds());
        if (status != CheckoutSession.Open) throw StripeErrors.InvalidRequest(status);

        var created = now.ToUnixTimeSeconds();
        var paymentMethod = store.PaymentMethods.Save(new PaymentMethod
        {
            Id = StripeIds.New("pm"),
            Created = created,
            Card = card,
            CustomerId = session.CustomerId,
            Metadata = Metadata.Empty,
            BillingName = string.IsNullOrWhiteSpace(name) ? null : name.Trim(),
        });
        var setupIntentId = StripeIds.New("seti");
        var setupIntent = store.SetupIntents.Save(new SetupIntent
        {
            Id = setupIntentId,
            Created = created,
            ClientSecret = $"{setupIntentId}_secret_{StripeIds.Random(25)}",
            PaymentMethodId = paymentMethod.Id,
            CustomerId = session.CustomerId,
            Metadata = session.SetupIntentMetadata,
        });
        return (store.CheckoutSessions.Save(session with { Status = CheckoutSession.Complete, SetupIntentId = setupIntent.Id }), setupIntent);
    }

    private static string SuccessUrl(CheckoutSession session) =>
        session.SuccessUrl.Replace(SessionIdPlaceholder, Uri.EscapeDataString(session.Id), StringComparison.Ordinal);

    private static IResult Html(string html, int status = StatusCodes.Status200OK) => Results.Text(html, "text/html", Encoding.UTF8, status);
}
