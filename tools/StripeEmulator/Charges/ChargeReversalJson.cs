using System.Text.Json.Nodes;
using StripeEmulator.Http;

namespace StripeEmulator.Charges;

/// <summary>The fields Stripe's refund and dispute objects share; each adds its own.</summary>
public static class ChargeReversalJson
{
    public static JsonObject Render(ChargeReversal reversal, string objectName) => new()
    {
        ["id"] = reversal.Id,
        ["object"] = objectName,
        ["amount"] = reversal.Amount,
        ["charge"] = reversal.ChargeId,
        ["created"] = reversal.Created,
        ["currency"] = reversal.Currency,
        ["metadata"] = JsonShapes.Metadata(reversal.Metadata),
        ["payment_intent"] = reversal.PaymentIntentId,
    };
}
