namespace ProMTA.Contracts.Dns;

/// <summary>
/// Records we publish for the service were found changed in DNS (someone edited them behind our back) and were put
/// back; <see cref="Repaired"/> is false when DNS still answered otherwise right after the repair.
/// </summary>
public sealed record DnsDriftRepaired
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required IReadOnlyList<DriftedRecord> Records { get; init; }
    public required bool Repaired { get; init; }
    public required DateTimeOffset DetectedAt { get; init; }
}

/// <summary>One rrset: what we publish and what DNS answered instead ("" for nothing).</summary>
public sealed record DriftedRecord(string Name, string Type, string Expected, string Found);
