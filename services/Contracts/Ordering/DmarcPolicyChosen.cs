namespace ProMTA.Contracts.Ordering;

/// <summary>
/// The customer chose the DMARC policy of one of the service's sending domains (PUT /api/services/{id}/domains/{domain}):
/// <see cref="Policy"/> is none, quarantine or reject. Dns publishes it in the domain's _dmarc record.
/// </summary>
public sealed record DmarcPolicyChosen
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required string Domain { get; init; }
    public required string Policy { get; init; }
    public required DateTimeOffset ChosenAt { get; init; }
}
