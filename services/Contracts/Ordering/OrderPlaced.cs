namespace ProMTA.Contracts.Ordering;

/// <summary>A customer ordered a product: one new service, to be charged its first month at once.</summary>
public sealed record OrderPlaced
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required Guid CustomerId { get; init; }
    public required string CustomerEmail { get; init; }
    public required string CustomerName { get; init; }
    public required string ProductId { get; init; }
    /// <summary>The plan's name as the catalogue shows it (printed on invoices); absent in messages sent before it existed.</summary>
    public string? ProductName { get; init; }
    /// <summary>Monthly price in minor units (cents) of <see cref="Currency"/>.</summary>
    public required long MonthlyPriceMinor { get; init; }
    public required string Currency { get; init; }
    public required int DedicatedIps { get; init; }
    /// <summary>The Stripe PaymentMethod id made on the customer's side; never card data.</summary>
    public required string PaymentMethodId { get; init; }
    public required DateTimeOffset OrderedAt { get; init; }
    public string? SendingDomain { get; init; }
    public bool HasSpecialRequirements { get; init; }
}
