using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Billing.Stripe;
using ProMTA.Billing.Webhooks;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Apis;

/// <summary>
/// Stripe's webhook endpoint. The signature is checked with Stripe.net's EventUtility before anything else (a wrong
/// or missing signature is a 400 and changes nothing); each event id is handled once, in the transaction of what it
/// changes; events may come late or out of order (see the handlers in Webhooks/).
/// </summary>
public static class StripeWebhooksApi
{
    private const string RecordEventSql = """
        INSERT INTO stripe_events (id, type, received_at) VALUES (@Id, @Type, @ReceivedAt) ON CONFLICT (id) DO NOTHING
        """;

    public static RouteGroupBuilder MapStripeWebhooksApi(this RouteGroupBuilder api)
    {
        api.MapPost("/webhooks/stripe", ReceiveAsync).AllowAnonymous();
        return api;
    }

    public static async Task<Results<Ok, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, IOptions<StripeWebhookOptions> options, Database db, StripeEventHandler handler, TimeProvider time, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(ct);
        var signature = request.Headers["Stripe-Signature"].ToString();
        global::Stripe.Event stripeEvent;
        try
        {
            // Stripe.net throws a NullReferenceException on a missing header: refuse it before.
            if (signature.Length == 0) throw new global::Stripe.StripeException("The Stripe-Signature header is missing.");
            // Stripe signs with the API version its account pins; ours is Stripe.net's, which the emulator matches.
            stripeEvent = global::Stripe.EventUtility.ConstructEvent(json, signature, options.Value.Secret, throwOnApiVersionMismatch: false);
        }
        catch (global::Stripe.StripeException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid signature",
                detail: "The Stripe-Signature header does not match this payload.");
        }
        catch (System.Text.Json.JsonException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid payload", detail: "The body is not a Stripe event (malformed JSON).");
        }

        await using var work = await db.BeginAsync(ct);
        if (await work.ExecuteAsync(RecordEventSql, new { stripeEvent.Id, stripeEvent.Type, ReceivedAt = time.GetUtcNow() }) == 0)
        {
            return TypedResults.Ok(); // already handled
        }
        try
        {
            await handler.HandleAsync(work, stripeEvent, ct);
        }
        catch (StripeEventNotReadyException ex)
        {
            // Nothing commits, not even the event id: Stripe's retry (minutes later) finds the payment recorded.
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: ex.Message);
        }
        await work.CommitAsync(ct);
        return TypedResults.Ok();
    }
}
