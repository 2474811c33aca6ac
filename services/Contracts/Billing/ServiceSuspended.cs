namespace ProMTA.Contracts.Billing;

/// <summary>A renewal stayed unpaid when its period started: the relay refuses mail.</summary>
public sealed record ServiceSuspended
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateTimeOffset SuspendedAt { get; init; }
}
