using StripeEmulator.Charges;

namespace StripeEmulator.Disputes;

/// <summary>A cardholder's dispute (chargeback) of a successful charge.</summary>
public sealed record Dispute : ChargeReversal
{
    /// <summary>Stripe's reason codes: fraudulent, product_not_received, duplicate, general, ...</summary>
    public required string Reason { get; init; }
    /// <summary>needs_response, under_review, won or lost.</summary>
    public required string Status { get; init; }
    public required long EvidenceDueBy { get; init; }
    public string? UncategorizedText { get; init; }
    public int SubmissionCount { get; init; }
    public required IReadOnlyList<string> BalanceTransactionIds { get; init; }

    public bool IsClosed => Status is DisputeStatus.Won or DisputeStatus.Lost;
}

public static class DisputeStatus
{
    public const string NeedsResponse = "needs_response";
    public const string UnderReview = "under_review";
    public const string Won = "won";
    public const string Lost = "lost";
}
