namespace ProMTA.Contracts.Ordering;

/// <summary>An account manager accepted an order's special requirements; setup is due by their deadline (rule 2).</summary>
public sealed record OrderReviewAccepted
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateTimeOffset SetupDeadline { get; init; }
    public required Guid ReviewerId { get; init; }
    public required DateTimeOffset ReviewedAt { get; init; }
}
