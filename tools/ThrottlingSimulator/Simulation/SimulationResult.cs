namespace ProMTA.ThrottlingSimulator.Simulation;

/// <summary>The numbers a run produced; "clean lanes" are those of tenants with clean lists.</summary>
public sealed record SimulationResult
{
    public required Strategy Strategy { get; init; }
    public required long Delivered { get; init; }
    public required long Attempts { get; init; }
    public required long Deferred { get; init; }
    public required long Bounced { get; init; }
    public required int CleanLanes { get; init; }
    public required IReadOnlyList<TimeSpan?> TimesToReach90 { get; init; }
    public required IReadOnlyList<TimeSpan?> RecoveriesAfterDrop { get; init; }
    public required IReadOnlyList<TimeSpan?> RecoveriesAfterRise { get; init; }
    public required int BlocksForSendingRate { get; init; }
    public required int BlocksForBounces { get; init; }
    public required double CleanCapacity { get; init; }
    public required long CleanDelivered { get; init; }
    public TimeSpan WallTime { get; init; }

    /// <summary>Per tenant x provider, how the controller answered complaints (scenarios with complaints only).</summary>
    public IReadOnlyList<ComplaintResult> Complaints { get; init; } = [];

    /// <summary>Per lane, for <c>--lanes</c>.</summary>
    public IReadOnlyList<LaneResult> Lanes { get; init; } = [];

    public double DeferredShare => Attempts == 0 ? 0 : (double)Deferred / Attempts;
    public double CleanUtilisation => CleanCapacity == 0 ? 0 : CleanDelivered / CleanCapacity;
    public int LanesReaching90 => TimesToReach90.Count(t => t is not null);
    public int LanesReaching90Within(TimeSpan limit) => TimesToReach90.Count(t => t is { } v && v <= limit);
}

/// <summary>One lane's numbers.</summary>
public sealed record LaneResult(string Ip, string Provider, bool Clean, double Delivered, double Capacity, long Deferred, long Attempts,
    TimeSpan? ReachedAt, IReadOnlyList<(bool Drop, TimeSpan? RecoveredAfter)> Recoveries);

/// <summary>
/// One tenant at one provider in a complaint scenario: what its list drew, when the sender heard of the first
/// complaint, when the controller slowed the tenant down and paused it, and whether the ISP blocked the IP first.
/// </summary>
public sealed record ComplaintResult(string Tenant, string Provider, double ComplaintShare, long Delivered, double Capacity,
    long ComplaintsAtIsp, long ComplaintsReported, TimeSpan? FirstReportedAt, TimeSpan? SlowedAt, TimeSpan? PausedAt,
    TimeSpan? IspBlockedAt);
