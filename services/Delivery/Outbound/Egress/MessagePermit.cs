using ProMTA.Delivery.Outbound.Lanes;

namespace ProMTA.Delivery.Outbound.Egress;

/// <summary>
/// A message's permit on its lane: the controller's token taken at <paramref name="TakenAt"/> for <paramref name="Tenant"/>,
/// and the warm-up send its lane reserved for it (<paramref name="Admission"/>). Spent once the MX received or answered
/// the message; given back (<see cref="EgressPath.GiveBack"/>) when nothing reached the MX.
/// </summary>
internal sealed record MessagePermit(string Tenant, DateTimeOffset TakenAt, Admission Admission);
