namespace ProMTA.Contracts.Ordering;

/// <summary>
/// A customer added a sending domain to a live service (POST /api/services/{id}/domains); Ordering has claimed it for
/// the service. Dns starts hosting it as pending until its delegation is seen, as for a domain given with the order.
/// </summary>
public sealed record SendingDomainClaimed
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required Guid CustomerId { get; init; }
    /// <summary>Normalized: IDNA A-labels, lower case, no trailing dot.</summary>
    public required string Domain { get; init; }
    public required DateTimeOffset ClaimedAt { get; init; }
}
