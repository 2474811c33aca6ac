using StripeEmulator.Charges;

namespace StripeEmulator.Refunds;

public sealed record Refund : ChargeReversal
{
    public string? Reason { get; init; }
    public required string BalanceTransactionId { get; init; }
}
