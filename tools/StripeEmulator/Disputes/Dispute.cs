using StripeEmulator.Store;

namespace StripeEmulator.Disputes;

/// <summary>A cardholder's dispute (chargeback) of a successful charge.</summary>
public sealed record Dispute : IStripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string ChargeId { get; init; }
    public required string PaymentIntentId { get; init; }
    /// <summary>Stripe's reason codes: fraudulent, product_not_received, duplicate, general, ...</summary>
    public required string Reason { get; init; }
    /// <summary>needs_response, under_review, won or lost.</summary>
    public required string Status { get; init; }
    public required long EvidenceDueBy { get; init; }
    public string? UncategorizedText { get; init; }
    public int SubmissionCount { get; init; }
    public required IReadOnlyList<string> BalanceTransactionIds { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    public bool IsClosed => Status is DisputeStatus.Won or DisputeStatus.Lost;
}

public static class DisputeStatus
{
    public const string NeedsResponse = "needs_response";
    public const string UnderReview = "under_review";
    public const string Won = "won";
    public const string Lost = "lost";
}
