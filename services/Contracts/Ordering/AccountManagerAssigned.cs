namespace ProMTA.Contracts.Ordering;

/// <summary>An operator made a staff member the account manager of a customer (who then serves that customer only).</summary>
public sealed record AccountManagerAssigned
{
    public required Guid CustomerId { get; init; }
    public required Guid AccountManagerId { get; init; }
    public required DateTimeOffset AssignedAt { get; init; }
    /// <summary>Where Billing sends the manager a copy of the notices that concern them; null in older messages.</summary>
    public string? AccountManagerEmail { get; init; }
}
