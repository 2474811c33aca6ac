namespace ProMTA.Dns.Domain;

/// <summary>A DKIM public key published under its selector.</summary>
public sealed record DkimPublicKey(string Selector, string PublicKeyBase64);

/// <summary>
/// Everything mail from the customer's sending domain needs (rule 19): SPF naming the service's dedicated IPs, one DKIM
/// key per live selector, DMARC, an A record per server IP and an MX so bounces and replies reach the service.
/// SPF, MX and A wait for the IPs: an SPF without them would fail the customer's mail from wherever it goes now.
/// </summary>
public static class SendingDomainRecords
{
    public static IReadOnlyList<DnsRecord> For(string domain, IReadOnlyList<string> ips, IReadOnlyList<DkimPublicKey> dkim, string dmarcPolicy)
    {
        var zone = ReverseZones.Fqdn(domain);
        var records = new List<DnsRecord>();
        if (ips.Count > 0)
        {
            records.Add(new DnsRecord(zone, "TXT", "v=spf1 " + string.Join(' ', ips.Select(ip => "ip4:" + ip)) + " -all"));
            records.Add(new DnsRecord(zone, "MX", $"10 {HostName(zone, 0)}"));
            records.AddRange(ips.Select((ip, i) => new DnsRecord(HostName(zone, i), "A", ip)));
        }
        records.AddRange(dkim.Select(k => new DnsRecord($"{k.Selector}._domainkey.{zone}", "TXT", $"v=DKIM1; k=rsa; p={k.PublicKeyBase64}")));
        records.Add(new DnsRecord($"_dmarc.{zone}", "TXT", $"v=DMARC1; p={dmarcPolicy}; adkim=r; aspf=r"));
        return records;
    }

    private static string HostName(string zone, int index) => $"mta{index + 1}.{zone}";

    /// <summary>A plausible DNS name (letters, digits, hyphens, at least two labels); anything else is never made a zone.</summary>
    public static bool IsValidDomain(string domain) =>
        domain.Length is > 3 and <= 253
        && domain.TrimEnd('.').Split('.') is { Length: >= 2 } labels
        && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-' && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
}
