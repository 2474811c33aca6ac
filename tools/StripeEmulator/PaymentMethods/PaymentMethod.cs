using StripeEmulator.Store;

namespace StripeEmulator.PaymentMethods;

public sealed record PaymentMethod : IStripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public required TestCard Card { get; init; }
    public string? CustomerId { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>billing_details.name: the cardholder name typed on the hosted Checkout page.</summary>
    public string? BillingName { get; init; }

    /// <summary>
    /// Stripe lets an unattached PaymentMethod pay once; after that (or after a detach) it can
    /// never be used or attached again. Modelled so Billing meets that error here, not in production.
    /// </summary>
    public bool Spent { get; init; }
}
