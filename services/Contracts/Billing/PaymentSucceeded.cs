namespace ProMTA.Contracts.Billing;

/// <summary>A period of a service was paid.</summary>
public sealed record PaymentSucceeded
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required Guid InvoiceId { get; init; }
    public required long InvoiceNumber { get; init; }
    public required long AmountMinor { get; init; }
    public required string Currency { get; init; }
    /// <summary>0 for the first month charged at order, then 1, 2, ...</summary>
    public required int PeriodIndex { get; init; }
    public required DateOnly PeriodStart { get; init; }
    /// <summary>Exclusive: the day the next period starts.</summary>
    public required DateOnly PeriodEnd { get; init; }
    public required int BillingDay { get; init; }
    /// <summary>What was paid for, so Provisioning can set up the first period without asking.</summary>
    public required string ProductId { get; init; }
    public required int DedicatedIps { get; init; }
    public required DateTimeOffset PaidAt { get; init; }
    /// <summary>The order has special requirements: setup waits for an account manager's review (rule 2).</summary>
    public bool RequiresReview { get; init; }
}
