namespace ProMTA.Contracts.Ordering;

/// <summary>
/// A product of the catalogue as it is on sale now (Ordering owns the catalogue and its prices). Published when a
/// product is new or changed, and again for every product when Billing asks (<see cref="Billing.CatalogueRequested"/>);
/// Billing keeps the newest copy to price plan changes.
/// </summary>
public sealed record ProductPublished
{
    public required string ProductId { get; init; }
    public required string Name { get; init; }
    /// <summary>Net monthly price in minor units (cents) of <see cref="Currency"/>; VAT is Billing's to add.</summary>
    public required long MonthlyPriceMinor { get; init; }
    public required string Currency { get; init; }
    public required int DedicatedIps { get; init; }
    /// <summary>The catalogue's display order (Starter, Business, Enterprise).</summary>
    public required int SortOrder { get; init; }
    /// <summary>Net monthly price in minor units of one extra dedicated IP (the add-on); null when the product takes none.</summary>
    public long? ExtraIpMonthlyPriceMinor { get; init; }
    /// <summary>When this version was published: a copy never replaces a newer one.</summary>
    public required DateTimeOffset PublishedAt { get; init; }
}
