using StripeEmulator.Store;

namespace StripeEmulator.Customers;

public sealed record Customer : IStripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? Phone { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    /// <summary>invoice_settings.default_payment_method: the card Billing charges each month.</summary>
    public string? DefaultPaymentMethodId { get; init; }
    public required string InvoicePrefix { get; init; }
}
