namespace ProMTA.Ordering.Domains;

/// <summary>The "Domains" section: what nobody may claim as a sending domain, and how long a claim may wait for delegation.</summary>
public sealed class DomainClaimOptions
{
    /// <summary>Debian's publicsuffix package (eng/install-servers.sh installs it); every suffix in it is refused.</summary>
    public string PublicSuffixList { get; set; } = "/usr/share/publicsuffix/public_suffix_list.dat";

    /// <summary>
    /// Zones the platform itself serves (the host zone of our servers' names, Dns:HostZone). Refused, and so is any name
    /// above or below one: a customer zone there would override the records of every tenant's servers.
    /// </summary>
    public string[] PlatformZones { get; set; } = ["promta.local"];

    /// <summary>Our nameservers' names (PowerDns:Nameservers): the names customers delegate to can never be a customer's.</summary>
    public string[] Nameservers { get; set; } = ["ns1.promta.local", "ns2.promta.local"];

    /// <summary>A claim not delegated to us within this time is released and the customer told (default 14 days).</summary>
    public TimeSpan PendingLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How often pending claims are looked at for expiry.</summary>
    public TimeSpan ExpiryCheckInterval { get; set; } = TimeSpan.FromMinutes(10);
}
