namespace ProMTA.Contracts.Billing;

/// <summary>
/// A service moved to another product, effective now: an upgrade once its prorated charge is paid, a downgrade on the
/// first day of the period it was scheduled for. Provisioning adds or releases dedicated IPs to match.
/// </summary>
public sealed record PlanChanged
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required Guid PlanChangeId { get; init; }
    public required string PreviousProductId { get; init; }
    public required string ProductId { get; init; }
    public required string ProductName { get; init; }
    public required int PreviousDedicatedIps { get; init; }
    public required int DedicatedIps { get; init; }
    /// <summary>Net monthly price of the new product in minor units of <see cref="Currency"/>.</summary>
    public required long MonthlyPriceMinor { get; init; }
    public required string Currency { get; init; }
    /// <summary>The first day the service runs on the new product (business zone).</summary>
    public required DateOnly EffectiveOn { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
