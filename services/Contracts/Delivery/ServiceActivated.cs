namespace ProMTA.Contracts.Delivery;

/// <summary>The relay accepts mail for the service: credentials exist and its IPs are bound ("live").</summary>
public sealed record ServiceActivated
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required string SmtpUsername { get; init; }
    public required DateTimeOffset ActivatedAt { get; init; }
}
