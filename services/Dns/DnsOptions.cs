namespace ProMTA.Dns;

public sealed class DnsOptions
{
    /// <summary>The zone holding our servers' hostnames.</summary>
    public string HostZone { get; set; } = "promta.local";

    /// <summary>Resolvers that must all answer before a record counts as propagated (host:port). Default: PowerDNS itself.</summary>
    public string[] Resolvers { get; set; } = [];

    /// <summary>
    /// Resolvers asked for the NS records of a customer's sending domain (host:port): public recursive resolvers, or the
    /// parent zone's servers. Default: PowerDNS itself, which locally plays the whole internet (it then sees our own zone,
    /// so a hosted domain counts as delegated at once; point this at a separate server to see a real delegation step).
    /// </summary>
    public string[] DelegationResolvers { get; set; } = [];

    /// <summary>
    /// The DMARC policy of new sending domains. "none" by default: a domain that only starts sending through us is
    /// monitored first, so a sender we do not know of yet is not rejected on day one.
    /// </summary>
    public string DmarcPolicy { get; set; } = "none";

    /// <summary>How often the monitor looks for due propagation, delegation and drift checks.</summary>
    public TimeSpan MonitorInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often DomainPublisher looks for delegated domains whose DKIM key and records are still to publish.</summary>
    public TimeSpan PublicationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Reverse DNS not seen everywhere within this window raises an alert (rule 3: live about 24 hours after setup).</summary>
    public TimeSpan PropagationWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The wait before the second propagation check; it doubles up to <see cref="PropagationMaxInterval"/>.</summary>
    public TimeSpan PropagationFirstInterval { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan PropagationMaxInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Delegation checks of a domain not delegated yet: doubling from the first interval up to the max.</summary>
    public TimeSpan DelegationFirstInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan DelegationMaxInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a domain already seen delegated is asked again (a customer may move it away).</summary>
    public TimeSpan DelegationRecheckInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often every published record is compared with what DNS serves (drift) and put right.</summary>
    public TimeSpan DriftCheckInterval { get; set; } = TimeSpan.FromMinutes(15);
}
