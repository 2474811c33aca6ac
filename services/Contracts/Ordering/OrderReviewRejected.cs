namespace ProMTA.Contracts.Ordering;

/// <summary>An account manager rejected an order's special requirements: nothing is set up and the first charge is refunded.</summary>
public sealed record OrderReviewRejected
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required string Reason { get; init; }
    public required Guid ReviewerId { get; init; }
    public required DateTimeOffset ReviewedAt { get; init; }
}
