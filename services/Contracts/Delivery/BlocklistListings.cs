namespace ProMTA.Contracts.Delivery;

/// <summary>
/// A DNS blocklist began listing one of a service's dedicated IPs (<see cref="Kind"/> "ip") or hosted domains ("domain").
/// Delivery stops sending from a listed IP to the providers that use that list (the service's other IPs take over, if it
/// has any); Billing tells the customer.
/// </summary>
public sealed record BlocklistListed
{
    public required Guid ServiceId { get; init; }
    public required Guid CustomerId { get; init; }
    public required string Subject { get; init; }
    public required string Kind { get; init; }
    public required string Zone { get; init; }
    /// <summary>The list's answer: its A record(s) (e.g. 127.0.0.2) and TXT reason when it gives one.</summary>
    public required string Answer { get; init; }
    /// <summary>The providers whose lanes pause for this list; empty for every provider.</summary>
    public required IReadOnlyList<string> Providers { get; init; }
    public required DateTimeOffset ListedAt { get; init; }
}

/// <summary>The list no longer lists the subject: sending from it resumes.</summary>
public sealed record BlocklistDelisted
{
    public required Guid ServiceId { get; init; }
    public required Guid CustomerId { get; init; }
    public required string Subject { get; init; }
    public required string Kind { get; init; }
    public required string Zone { get; init; }
    public required DateTimeOffset ListedAt { get; init; }
    public required DateTimeOffset DelistedAt { get; init; }
}
