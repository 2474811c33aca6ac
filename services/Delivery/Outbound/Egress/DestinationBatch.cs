using ProMTA.Delivery.Data;

namespace ProMTA.Delivery.Outbound.Egress;

/// <summary>
/// Claimed recipients for one destination domain on one egress path, whole messages only: what one session carries.
/// </summary>
internal sealed record DestinationBatch(string Domain, Route Route, EgressPath Path, List<ClaimedRecipient> Recipients);
