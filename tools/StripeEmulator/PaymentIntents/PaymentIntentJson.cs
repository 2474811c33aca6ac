using System.Text.Json.Nodes;
using StripeEmulator.Http;

namespace StripeEmulator.PaymentIntents;

/// <summary>Stripe's payment_intent object shape.</summary>
public static class PaymentIntentJson
{
    public static JsonObject Render(PaymentIntent intent) => new()
    {
        ["id"] = intent.Id,
        ["object"] = "payment_intent",
        ["amount"] = intent.Amount,
        ["amount_capturable"] = 0,
        ["amount_received"] = intent.AmountReceived,
        ["automatic_payment_methods"] = null,
        ["canceled_at"] = intent.CanceledAt,
        ["cancellation_reason"] = intent.CancellationReason,
        ["capture_method"] = "automatic",
        ["client_secret"] = intent.ClientSecret,
        ["confirmation_method"] = "automatic",
        ["created"] = intent.Created,
        ["currency"] = intent.Currency,
        ["customer"] = intent.CustomerId,
        ["description"] = intent.Description,
        ["last_payment_error"] = intent.LastPaymentError?.ToJson(),
        ["latest_charge"] = intent.LatestChargeId,
        ["livemode"] = false,
        ["metadata"] = JsonShapes.Metadata(intent.Metadata),
        ["next_action"] = intent.NextAction?.ToJson(),
        ["payment_method"] = intent.PaymentMethodId,
        ["payment_method_types"] = new JsonArray("card"),
        ["receipt_email"] = intent.ReceiptEmail,
        ["setup_future_usage"] = intent.SetupFutureUsage,
        ["statement_descriptor"] = null,
        ["status"] = intent.Status,
    };
}
