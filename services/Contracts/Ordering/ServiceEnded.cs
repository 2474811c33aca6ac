namespace ProMTA.Contracts.Ordering;

/// <summary>A cancelled service reached the end of its last paid period.</summary>
public sealed record ServiceEnded
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
}
