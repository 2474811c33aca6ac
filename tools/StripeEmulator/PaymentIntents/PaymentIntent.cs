using StripeEmulator.Errors;
using StripeEmulator.Store;

namespace StripeEmulator.PaymentIntents;

public sealed record PaymentIntent : IStripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public string? CustomerId { get; init; }
    public string? PaymentMethodId { get; init; }
    public required string Status { get; init; }
    public string? Description { get; init; }
    public string? ReceiptEmail { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public string? SetupFutureUsage { get; init; }
    public long AmountReceived { get; init; }
    public string? LatestChargeId { get; init; }
    public StripeError? LastPaymentError { get; init; }
    public NextAction? NextAction { get; init; }
    public required string ClientSecret { get; init; }
    public long? CanceledAt { get; init; }
    public string? CancellationReason { get; init; }

    /// <summary>The ledger entry of the confirmation in progress (3D Secure), emulator-internal.</summary>
    public long? PendingLedgerSequence { get; init; }
}
