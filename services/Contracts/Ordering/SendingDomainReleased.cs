namespace ProMTA.Contracts.Ordering;

/// <summary>
/// A service no longer holds a sending domain: its order failed payment or was rejected in review, the service ended,
/// the customer removed the domain, or it was never delegated to us in time. Dns removes exactly what it published for
/// it; Delivery stops accepting mail from it for that service. <see cref="Reason"/> is one of payment-failed,
/// review-rejected, service-ended, removed, expired.
/// </summary>
public sealed record SendingDomainReleased
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required string Domain { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset ReleasedAt { get; init; }
}
