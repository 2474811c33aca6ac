using StripeEmulator.Store;

namespace StripeEmulator.Refunds;

public sealed record Refund : IStripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required string ChargeId { get; init; }
    public required string PaymentIntentId { get; init; }
    public string? Reason { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required string BalanceTransactionId { get; init; }
}
