namespace ProMTA.Contracts.Ordering;

/// <summary>An operator made a staff member the account manager of a customer (who then serves that customer only).</summary>
public sealed record AccountManagerAssigned
{
    public required Guid CustomerId { get; init; }
    public required Guid AccountManagerId { get; init; }
    public required DateTimeOffset AssignedAt { get; init; }
}
