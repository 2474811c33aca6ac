namespace ProMTA.Contracts.Delivery;

/// <summary>
/// A service's relay mode (rule 18) was switched. Delivery owns the mode (the throttling follows it); Ordering keeps
/// the copy it shows in <c>GET /api/services/{id}</c> current from this event, newest <see cref="ChangedAt"/> winning.
/// </summary>
public sealed record RelayModeChanged
{
    public required Guid ServiceId { get; init; }
    /// <summary><c>managed</c> or <c>unmanaged</c>.</summary>
    public required string Mode { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
