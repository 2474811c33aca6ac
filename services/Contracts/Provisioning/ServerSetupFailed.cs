namespace ProMTA.Contracts.Provisioning;

/// <summary>The datacenter kept refusing the service's server after every retry: operators must step in (an alert on the order timeline).</summary>
public sealed record ServerSetupFailed
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required string Reason { get; init; }
    public required int Attempts { get; init; }
    public required DateTimeOffset SetupDeadline { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
}
