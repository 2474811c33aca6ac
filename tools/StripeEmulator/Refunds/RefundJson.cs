using System.Text.Json.Nodes;
using StripeEmulator.Http;

namespace StripeEmulator.Refunds;

/// <summary>Stripe's refund object shape. Card refunds succeed at once in test mode.</summary>
public static class RefundJson
{
    public static JsonObject Render(Refund refund) => new()
    {
        ["id"] = refund.Id,
        ["object"] = "refund",
        ["amount"] = refund.Amount,
        ["balance_transaction"] = refund.BalanceTransactionId,
        ["charge"] = refund.ChargeId,
        ["created"] = refund.Created,
        ["currency"] = refund.Currency,
        ["destination_details"] = new JsonObject
        {
            ["card"] = new JsonObject { ["reference_status"] = "pending", ["reference_type"] = "acquirer_reference_number", ["type"] = "refund" },
            ["type"] = "card",
        },
        ["metadata"] = JsonShapes.Metadata(refund.Metadata),
        ["payment_intent"] = refund.PaymentIntentId,
        ["reason"] = refund.Reason,
        ["receipt_number"] = null,
        ["source_transfer_reversal"] = null,
        ["status"] = "succeeded",
        ["transfer_reversal"] = null,
    };
}
