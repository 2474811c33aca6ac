namespace ProMTA.Contracts.Provisioning;

/// <summary>The service's dedicated server is set up with its dedicated IPs ("setup done").</summary>
public sealed record ServerProvisioned
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required string ServerId { get; init; }
    public required string Hostname { get; init; }
    public required IReadOnlyList<string> Ips { get; init; }
    public required DateTimeOffset SetupDeadline { get; init; }
    public required DateTimeOffset ProvisionedAt { get; init; }
}
