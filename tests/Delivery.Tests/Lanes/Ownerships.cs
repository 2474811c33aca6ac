using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.MailPolicy;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Tests.Lanes;

/// <summary>One replica's lane ownership, as the host wires it, with the lease timings a test chooses.</summary>
internal static class Ownerships
{
    public static LaneOwnership Create(Database db, ThrottleController throttle, LaneLeaseOptions lanes) => new(db, throttle,
        Options.Create(lanes), Options.Create(new OutboundOptions()), TimeProvider.System, NullLogger<LaneOwnership>.Instance);
}
