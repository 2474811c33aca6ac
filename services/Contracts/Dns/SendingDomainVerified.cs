namespace ProMTA.Contracts.Dns;

/// <summary>The customer's sending domain is delegated to our nameservers.</summary>
public sealed record SendingDomainVerified
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required string Domain { get; init; }
    public required DateTimeOffset VerifiedAt { get; init; }
}
