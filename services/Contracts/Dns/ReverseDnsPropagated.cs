namespace ProMTA.Contracts.Dns;

/// <summary>Every PTR record of the service answers from the configured resolvers.</summary>
public sealed record ReverseDnsPropagated
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required IReadOnlyList<ProMTA.Contracts.Provisioning.ReverseDnsEntry> Entries { get; init; }
    public required DateTimeOffset PropagatedAt { get; init; }
}
