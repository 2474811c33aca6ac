using System.Text.Json.Nodes;
using StripeEmulator.Http;
using StripeEmulator.PaymentMethods;

namespace StripeEmulator.Charges;

/// <summary>Stripe's charge object shape, including the outcome block risk and decline logic reads.</summary>
public static class ChargeJson
{
    public static JsonObject Render(Charge charge) => new()
    {
        ["id"] = charge.Id,
        ["object"] = "charge",
        ["amount"] = charge.Amount,
        ["amount_captured"] = charge.Succeeded ? charge.Amount : 0,
        ["amount_refunded"] = charge.AmountRefunded,
        ["balance_transaction"] = charge.BalanceTransactionId,
        ["captured"] = charge.Succeeded,
        ["created"] = charge.Created,
        ["currency"] = charge.Currency,
        ["customer"] = charge.CustomerId,
        ["description"] = charge.Description,
        ["disputed"] = charge.Disputed,
        ["failure_code"] = charge.Failure?.Code,
        ["failure_message"] = charge.Failure?.Message,
        ["livemode"] = false,
        ["metadata"] = JsonShapes.Metadata(charge.Metadata),
        ["outcome"] = Outcome(charge),
        ["paid"] = charge.Succeeded,
        ["payment_intent"] = charge.PaymentIntentId,
        ["payment_method"] = charge.PaymentMethod.Id,
        ["payment_method_details"] = new JsonObject
        {
            ["card"] = PaymentMethodJson.Card(charge.PaymentMethod.Card),
            ["type"] = "card",
        },
        ["receipt_url"] = null,
        ["refunded"] = charge.FullyRefunded,
        ["status"] = charge.Status,
    };

    private static JsonObject Outcome(Charge charge) => charge.Failure is { } failure
        ? new JsonObject
        {
            ["network_status"] = "declined_by_network",
            ["reason"] = failure.DeclineCode,
            ["risk_level"] = "normal",
            ["seller_message"] = "The bank did not return any further details with this decline.",
            ["type"] = "issuer_declined",
        }
        : new JsonObject
        {
            ["network_status"] = "approved_by_network",
            ["reason"] = null,
            ["risk_level"] = "normal",
            ["seller_message"] = "Payment complete.",
            ["type"] = "authorized",
        };
}
