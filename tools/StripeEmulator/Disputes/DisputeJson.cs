using System.Text.Json.Nodes;
using StripeEmulator.Charges;

namespace StripeEmulator.Disputes;

/// <summary>Stripe's dispute object shape (the fields Stripe.net's Dispute reads).</summary>
public static class DisputeJson
{
    public static JsonObject Render(Dispute dispute)
    {
        var json = ChargeReversalJson.Render(dispute, "dispute");
        json["balance_transactions"] = new JsonArray([.. dispute.BalanceTransactionIds.Select(id => (JsonNode)new JsonObject
        {
            ["id"] = id,
            ["object"] = "balance_transaction",
            ["type"] = "adjustment",
        })]);
        json["evidence"] = new JsonObject { ["uncategorized_text"] = dispute.UncategorizedText };
        json["evidence_details"] = new JsonObject
        {
            ["due_by"] = dispute.EvidenceDueBy,
            ["has_evidence"] = dispute.UncategorizedText is not null,
            ["past_due"] = false,
            ["submission_count"] = dispute.SubmissionCount,
        };
        json["is_charge_refundable"] = false;
        json["livemode"] = false;
        json["reason"] = dispute.Reason;
        json["status"] = dispute.Status;
        return json;
    }
}
