namespace ProMTA.Dns.PowerDns;

public sealed class PowerDnsOptions
{
    /// <summary>PowerDNS Authoritative's HTTP API, e.g. http://127.0.0.1:8081.</summary>
    public string ApiUrl { get; set; } = "";
    public string ApiKey { get; set; } = "";
    public string ServerId { get; set; } = "localhost";
    /// <summary>The DNS endpoint (host:port) answering queries, used to confirm what we published.</summary>
    public string DnsEndpoint { get; set; } = "127.0.0.1:5353";
    public string[] Nameservers { get; set; } = ["ns1.promta.local.", "ns2.promta.local."];
    public int Ttl { get; set; } = 300;
    /// <summary>Writes sent at once (PowerDnsWriteGate): 1 for the SQLite backend; more only for a database backend.</summary>
    public int ConcurrentWrites { get; set; } = 1;
}
