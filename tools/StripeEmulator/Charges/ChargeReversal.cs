using StripeEmulator.Store;

namespace StripeEmulator.Charges;

/// <summary>What a refund and a dispute have in common: part or all of one charge's amount going back to the cardholder.</summary>
public abstract record ChargeReversal : IStripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string ChargeId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
}
