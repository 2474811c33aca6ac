namespace ProMTA.Contracts.Billing;

/// <summary>A paid invoice was refunded through Stripe, in full or in part (one event per refund).</summary>
public sealed record PaymentRefunded
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required Guid InvoiceId { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    public required DateTimeOffset RefundedAt { get; init; }
    /// <summary>Stripe's refund id (re_...).</summary>
    public string? RefundId { get; init; }
}
