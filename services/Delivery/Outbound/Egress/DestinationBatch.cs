using ProMTA.Delivery.Data;

namespace ProMTA.Delivery.Outbound.Egress;

/// <summary>
/// Claimed recipients for one destination domain on one egress path, whole messages only: what one session carries.
/// One stream per batch: a transactional batch is served before bulk ones on its path.
/// </summary>
internal sealed record DestinationBatch(string Domain, Route Route, EgressPath Path, List<ClaimedRecipient> Recipients)
{
    public bool Transactional => Recipients.Count > 0 && Recipients[0].Transactional;
}
