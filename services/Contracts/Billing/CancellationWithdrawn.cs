namespace ProMTA.Contracts.Billing;

/// <summary>The customer took a cancellation back before the service ended: billing continues as before.</summary>
public sealed record CancellationWithdrawn
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateTimeOffset WithdrawnAt { get; init; }
}
