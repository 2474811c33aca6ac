namespace ProMTA.Contracts.Billing;

/// <summary>A service was cancelled: it runs through <see cref="LastDay"/> and is never charged after it (rule 11).</summary>
public sealed record CancellationScheduled
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateOnly LastDay { get; init; }
    /// <summary>The cancellation missed the deadline, so the next period is (or was already) charged.</summary>
    public required bool ChargedAgain { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
