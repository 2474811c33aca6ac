using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Billing.Stripe;
using ProMTA.Billing.Webhooks;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Apis;

/// <summary>
/// Stripe's webhook endpoint. The signature is checked with Stripe.net's EventUtility before anything else (a wrong
/// or missing signature is a 400 and changes nothing); what Stripe says is read before any transaction (issue 20), then
/// each event id is handled once, in the transaction of what it changes; events may come late or out of order (see
/// the handlers in Webhooks/).
/// </summary>
public static class StripeWebhooksApi
{
    private const string RecordEventSql = """
        INSERT INTO stripe_events (id, type, received_at) VALUES (@Id, @Type, @ReceivedAt) ON CONFLICT (id) DO NOTHING
        """;

    private const string SeenSql = "SELECT EXISTS (SELECT 1 FROM stripe_events WHERE id = @Id)";

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

        StripeEventWrite write;
        try
        {
            // What Stripe says is read first, with no transaction open; an event already handled costs no Stripe call.
            if (await SeenAsync(db, stripeEvent.Id, ct)) return TypedResults.Ok();
            write = await handler.ReadAsync(stripeEvent, ct);
        }
        catch (StripeEventNotReadyException ex)
        {
            return NotReady(ex);
        }

        await using var work = await db.BeginAsync(ct);
        if (await work.ExecuteAsync(RecordEventSql, new { stripeEvent.Id, stripeEvent.Type, ReceivedAt = time.GetUtcNow() }) == 0)
        {
            return TypedResults.Ok(); // already handled
        }
        try
        {
            await write(work);
        }
        catch (StripeEventNotReadyException ex)
        {
            return NotReady(ex);
        }
        await work.CommitAsync(ct);
        return TypedResults.Ok();
    }

    private static async Task<bool> SeenAsync(Database db, string eventId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await Dapper.SqlMapper.ExecuteScalarAsync<bool>(connection, SeenSql, new { Id = eventId });
    }

    // Nothing commits, not even the event id: Stripe's retry (minutes later) finds the payment recorded.
    private static ProblemHttpResult NotReady(StripeEventNotReadyException ex) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: ex.Message);
}
