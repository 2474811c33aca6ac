namespace ProMTA.Contracts.Billing;

/// <summary>Unpaid 14 days after suspension: the server is decommissioned.</summary>
public sealed record ServiceTerminated
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateTimeOffset TerminatedAt { get; init; }
}
