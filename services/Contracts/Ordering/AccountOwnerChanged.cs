namespace ProMTA.Contracts.Ordering;

/// <summary>
/// The owner of a customer account handed it to another member (docs/teams.md). The account (CustomerId) stays the
/// same tenant; Billing mails its notices to the new owner unless the billing profile names a billing address.
/// </summary>
public sealed record AccountOwnerChanged
{
    public required Guid CustomerId { get; init; }
    public required string OwnerEmail { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
