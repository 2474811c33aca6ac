namespace ProMTA.Delivery.Outbound.Lanes;

/// <summary>How many providers a live replica paces (all lanes of one provider stay with one replica).</summary>
public readonly record struct ReplicaLoad(string Replica, long Providers);

/// <summary>
/// How the live replicas spread the providers with mail: each paces about its fair share, ceil(providers / replicas).
/// A replica takes a free provider only below its share (so the first replica to ask does not take them all), and one
/// holding at least two providers more than another hands it one (so a joining replica gets its share). A difference
/// of one is left alone: moving a provider then only moves the imbalance, and every move costs the lane a few seconds.
/// </summary>
public static class LaneSpread
{
    /// <summary>The most providers one of <paramref name="replicas"/> live replicas paces when <paramref name="providers"/> have mail.</summary>
    public static long Share(long providers, long replicas) => (providers + Math.Max(1, replicas) - 1) / Math.Max(1, replicas);

    /// <summary>
    /// True when a replica pacing <paramref name="held"/> other providers may take a free one: <paramref name="providers"/>
    /// counts the live ones and the one asked for, <paramref name="replicas"/> the live replicas with the asker.
    /// </summary>
    public static bool MayTake(long held, long providers, long replicas) => held < Share(providers, replicas);

    /// <summary>
    /// The replica <paramref name="me"/> hands one of its providers to: the least loaded live one (the first by name
    /// among equals, so concurrent deciders agree) when it paces at least two fewer; else null.
    /// </summary>
    public static string? HandOverTarget(IReadOnlyCollection<ReplicaLoad> loads, string me)
    {
        var mine = loads.FirstOrDefault(l => l.Replica == me).Providers;
        var least = loads.Where(l => l.Replica != me).OrderBy(l => l.Providers).ThenBy(l => l.Replica, StringComparer.Ordinal).FirstOrDefault();
        return least.Replica is not null && mine - least.Providers >= 2 ? least.Replica : null;
    }
}
