namespace ProMTA.Contracts.Provisioning;

/// <summary>A running service's set of dedicated IPs changed (a plan change): added ones are set up, removed ones quarantined.</summary>
public sealed record DedicatedIpsChanged
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    /// <summary>Every dedicated IP the service has now.</summary>
    public required IReadOnlyList<string> Ips { get; init; }
    public required IReadOnlyList<string> Added { get; init; }
    public required IReadOnlyList<string> Removed { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
