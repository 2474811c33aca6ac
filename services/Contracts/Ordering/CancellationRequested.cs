namespace ProMTA.Contracts.Ordering;

/// <summary>The customer asked to cancel one service; Billing decides when it ends.</summary>
public sealed record CancellationRequested
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
