using StripeEmulator.PaymentMethods;
using StripeEmulator.Store;

namespace StripeEmulator.Charges;

/// <summary>One attempt to move money, successful or not, as Stripe records it under a PaymentIntent.</summary>
public sealed record Charge : IStripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public required long Amount { get; init; }
    public long AmountRefunded { get; init; }
    public required string Currency { get; init; }
    public string? CustomerId { get; init; }
    public required string PaymentIntentId { get; init; }
    public required PaymentMethod PaymentMethod { get; init; }
    /// <summary>succeeded or failed.</summary>
    public required string Status { get; init; }
    public CardDecline? Failure { get; init; }
    public string? Description { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public string? BalanceTransactionId { get; init; }
    public bool Disputed { get; init; }

    public bool Succeeded => Status == "succeeded";

    public bool FullyRefunded => Succeeded && AmountRefunded >= Amount;
}
