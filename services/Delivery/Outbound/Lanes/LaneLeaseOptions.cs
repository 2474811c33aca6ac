namespace ProMTA.Delivery.Outbound.Lanes;

/// <summary>The "Delivery:Lanes" section: how Delivery replicas share the lanes (source IP x provider) of the ISPs.</summary>
public sealed class LaneLeaseOptions
{
    /// <summary>
    /// On (the default): a lane is paced only by the replica holding its lease in PostgreSQL. Off: this process paces
    /// every lane without asking, which is right only for a single Delivery process; two replicas with it off each
    /// send at the full learned rate, and together exceed what the ISP allows.
    /// </summary>
    public bool Leased { get; set; } = true;

    /// <summary>How long a lane stays its owner's without a renewal: a killed replica's lanes are taken over after this.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>How often the owner renews its leases and saves its lanes' learned state with them (what the next owner starts from).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a replica holds a provider before it may hand it to a replica pacing two providers fewer (a joiner), so a
    /// provider taken beyond the share (nobody else took it) or just handed over is not passed on again at once.
    /// </summary>
    public TimeSpan HandOverAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Sends of a warming IP's daily cap its lane's owner reserves at a time. A killed owner's unused block is lost for
    /// the day (the cap is never exceeded, so the day may end this many under it); larger blocks cost fewer statements.
    /// </summary>
    public int WarmUpBlock { get; set; } = 10;
}
