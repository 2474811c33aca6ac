namespace ProMTA.Contracts.Provisioning;

/// <summary>The server is gone; its IPs are quarantined and their PTR records must go.</summary>
public sealed record ServerDecommissioned
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required IReadOnlyList<string> Ips { get; init; }
    public required DateTimeOffset DecommissionedAt { get; init; }
}
