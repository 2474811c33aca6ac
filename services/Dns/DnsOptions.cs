namespace ProMTA.Dns;

public sealed class DnsOptions
{
    /// <summary>The zone holding our servers' hostnames.</summary>
    public string HostZone { get; set; } = "promta.local";

    /// <summary>Resolvers that must all answer before a record counts as propagated (host:port). Default: PowerDNS itself.</summary>
    public string[] Resolvers { get; set; } = [];

    /// <summary>
    /// The DMARC policy of new sending domains. "none" by default: a domain that only starts sending through us is
    /// monitored first, so a sender we do not know of yet is not rejected on day one.
    /// </summary>
    public string DmarcPolicy { get; set; } = "none";
}
