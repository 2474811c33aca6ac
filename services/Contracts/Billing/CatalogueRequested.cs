namespace ProMTA.Contracts.Billing;

/// <summary>
/// Billing knows no product yet (a fresh installation, where Ordering's first publication may have gone out before
/// Billing's queue existed): Ordering answers by publishing every product again.
/// </summary>
public sealed record CatalogueRequested
{
    public required DateTimeOffset RequestedAt { get; init; }
}
