namespace ProMTA.Contracts.Billing;

/// <summary>A suspended service's overdue invoice was paid: the relay accepts mail again.</summary>
public sealed record ServiceResumed
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateTimeOffset ResumedAt { get; init; }
}
