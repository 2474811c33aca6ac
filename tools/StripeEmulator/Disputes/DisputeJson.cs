using System.Text.Json.Nodes;
using StripeEmulator.Http;

namespace StripeEmulator.Disputes;

/// <summary>Stripe's dispute object shape (the fields Stripe.net's Dispute reads).</summary>
public static class DisputeJson
{
    public static JsonObject Render(Dispute dispute) => new()
    {
        ["id"] = dispute.Id,
        ["object"] = "dispute",
        ["amount"] = dispute.Amount,
        ["balance_transactions"] = new JsonArray([.. dispute.BalanceTransactionIds.Select(id => (JsonNode)new JsonObject
        {
            ["id"] = id,
            ["object"] = "balance_transaction",
            ["type"] = "adjustment",
        })]),
        ["charge"] = dispute.ChargeId,
        ["created"] = dispute.Created,
        ["currency"] = dispute.Currency,
        ["evidence"] = new JsonObject { ["uncategorized_text"] = dispute.UncategorizedText },
        ["evidence_details"] = new JsonObject
        {
            ["due_by"] = dispute.EvidenceDueBy,
            ["has_evidence"] = dispute.UncategorizedText is not null,
            ["past_due"] = false,
            ["submission_count"] = dispute.SubmissionCount,
        },
        ["is_charge_refundable"] = false,
        ["livemode"] = false,
        ["metadata"] = JsonShapes.Metadata(dispute.Metadata),
        ["payment_intent"] = dispute.PaymentIntentId,
        ["reason"] = dispute.Reason,
        ["status"] = dispute.Status,
    };
}
