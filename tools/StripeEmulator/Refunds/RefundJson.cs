using System.Text.Json.Nodes;
using StripeEmulator.Charges;

namespace StripeEmulator.Refunds;

/// <summary>Stripe's refund object shape. Card refunds succeed at once in test mode.</summary>
public static class RefundJson
{
    public static JsonObject Render(Refund refund)
    {
        var json = ChargeReversalJson.Render(refund, "refund");
        json["balance_transaction"] = refund.BalanceTransactionId;
        json["destination_details"] = new JsonObject
        {
            ["card"] = new JsonObject { ["reference_status"] = "pending", ["reference_type"] = "acquirer_reference_number", ["type"] = "refund" },
            ["type"] = "card",
        };
        json["reason"] = refund.Reason;
        json["receipt_number"] = null;
        json["source_transfer_reversal"] = null;
        json["status"] = "succeeded";
        json["transfer_reversal"] = null;
        return json;
    }
}
