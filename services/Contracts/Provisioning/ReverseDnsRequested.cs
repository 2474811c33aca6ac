namespace ProMTA.Contracts.Provisioning;

/// <summary>Each dedicated IP needs its PTR record (and the matching A record) published.</summary>
public sealed record ReverseDnsRequested
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required IReadOnlyList<ReverseDnsEntry> Entries { get; init; }
}

/// <summary>One dedicated IP and the hostname its PTR record names.</summary>
public sealed record ReverseDnsEntry(string Ip, string Hostname);
