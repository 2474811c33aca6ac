using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Renewals;
using ProMTA.Billing.Stripe;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Apis;

/// <summary>
/// Stripe's webhook endpoint. The signature is checked with Stripe.net's EventUtility before anything else (a wrong
/// or missing signature is a 400 and changes nothing); each event id is handled once; events may come late or out of
/// order, so a handler only acts on an invoice that is still open.
/// </summary>
public static partial class StripeWebhooksApi
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
        HttpRequest request, IOptions<StripeWebhookOptions> options, Database db, InvoiceSettlement settlement, TimeProvider time,
        ILoggerFactory logs, CancellationToken ct)
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

        await using var work = await db.BeginAsync(ct);
        if (await work.ExecuteAsync(RecordEventSql, new { stripeEvent.Id, stripeEvent.Type, ReceivedAt = time.GetUtcNow() }) == 0)
        {
            return TypedResults.Ok(); // already handled
        }
        if (stripeEvent.Type == global::Stripe.EventTypes.PaymentIntentSucceeded && stripeEvent.Data.Object is global::Stripe.PaymentIntent intent
            && await RenewalRepository.FindOpenByPaymentIntentAsync(work, intent.Id) is { } open)
        {
            await settlement.SettleAsync(work, open.Service, open.Invoice, open.Period, intent.Id);
            LogSettled(logs.CreateLogger(typeof(StripeWebhooksApi)), open.Invoice.InvoiceNumber, intent.Id);
        }
        await work.CommitAsync(ct);
        return TypedResults.Ok();
    }

    [LoggerMessage(LogLevel.Information, "Invoice {InvoiceNumber} paid through Stripe ({PaymentIntentId})")]
    private static partial void LogSettled(ILogger log, long invoiceNumber, string paymentIntentId);
}
