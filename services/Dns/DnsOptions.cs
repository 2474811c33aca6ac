namespace ProMTA.Dns;

public sealed class DnsOptions
{
    /// <summary>The zone holding our servers' hostnames.</summary>
    public string HostZone { get; set; } = "promta.local";

    /// <summary>Resolvers that must all answer before a record counts as propagated (host:port). Default: PowerDNS itself.</summary>
    public string[] Resolvers { get; set; } = [];
}
