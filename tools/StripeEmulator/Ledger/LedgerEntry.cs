namespace StripeEmulator.Ledger;

/// <summary>
/// One attempt to charge a card. Tests read these through /_emulator/ledger to prove that a
/// retried request did not charge a customer twice.
/// </summary>
public sealed record LedgerEntry
{
    public required long Sequence { get; init; }
    public required string PaymentIntent { get; init; }
    public string? Customer { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    /// <summary>succeeded, failed or requires_action (waiting for 3D Secure).</summary>
    public required string Status { get; init; }
    public string? IdempotencyKey { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public string? PaymentMethod { get; init; }
    public string? Charge { get; init; }
    public string? FailureCode { get; init; }
    public string? DeclineCode { get; init; }
    public bool OffSession { get; init; }
    public long AmountRefunded { get; init; }
    public required long Created { get; init; }
}
