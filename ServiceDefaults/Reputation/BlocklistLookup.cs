using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;
using ProMTA.ServiceDefaults.Net;

namespace ProMTA.ServiceDefaults.Reputation;

/// <summary>One DNS blocklist (configuration: Reputation:Blocklists): its zone, what it lists, and which providers use it.</summary>
public sealed class BlocklistZone
{
    /// <summary>The list's zone, e.g. zen.spamhaus.org (IPs) or dbl.spamhaus.org (domains).</summary>
    public string Zone { get; set; } = "";

    /// <summary>"ip" for a list of addresses (queried as reversed octets), "domain" for a list of domains.</summary>
    public string Kind { get; set; } = BlocklistKinds.Ip;

    /// <summary>The providers (Gmail, Yahoo, Outlook, Other) that refuse mail from what this list lists; empty: every provider.</summary>
    public string[] Providers { get; set; } = [];

    /// <summary>The zone as looked up and stored: lower case, no trailing dot.</summary>
    public string Name => Zone.Trim().TrimEnd('.').ToLowerInvariant();
}

public static class BlocklistKinds
{
    public const string Ip = "ip";
    public const string Domain = "domain";
}

/// <summary>What a list said about a subject: listed (with its answer), not listed, or no usable answer (left as it was).</summary>
public enum BlocklistVerdict { NotListed, Listed, Unknown }

public sealed record BlocklistAnswer(BlocklistVerdict Verdict, string Answer = "");

/// <summary>
/// One DNSBL lookup as the lists document it (RFC 5782): an IPv4 address as reversed octets, an IPv6 address as
/// reversed nibbles, a domain as itself, prefixed to the list's zone; an A record in 127.0.0.0/8 means listed (with a
/// TXT record saying why), NXDOMAIN means not listed. 127.255.255.x is Spamhaus' "your query was refused" (a public
/// resolver, over quota): not a listing, and not a delisting either.
/// Used by Delivery (its IPs and domains while they send) and Provisioning (an address leaving quarantine).
/// </summary>
public sealed class BlocklistLookup(IReadOnlyList<IPEndPoint> resolvers)
{
    // No cache: a delisting must be seen at the next check, not when a cached answer runs out.
    private readonly LookupClient dns = DnsLookups.NewClient(resolvers, useCache: false);

    public async Task<BlocklistAnswer> CheckAsync(string subject, BlocklistZone zone, CancellationToken ct)
    {
        var name = QueryName(subject, zone);
        if (name is null) return new(BlocklistVerdict.Unknown);
        IDnsQueryResponse response;
        try
        {
            response = await dns.QueryAsync(name, QueryType.A, cancellationToken: ct);
        }
        catch (DnsResponseException)
        {
            return new(BlocklistVerdict.Unknown);
        }
        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain) return new(BlocklistVerdict.NotListed);
        if (response.HasError) return new(BlocklistVerdict.Unknown);
        var codes = response.Answers.ARecords().Select(a => a.Address).ToList();
        if (codes.Count == 0) return new(BlocklistVerdict.NotListed);
        if (codes.Any(a => a.GetAddressBytes() is [127, 255, 255, _]) || !codes.All(a => a.GetAddressBytes()[0] == 127))
        {
            return new(BlocklistVerdict.Unknown);
        }
        var reason = await ReasonAsync(name, ct);
        var answer = string.Join(", ", codes.Select(a => a.ToString()).Order(StringComparer.Ordinal));
        return new(BlocklistVerdict.Listed, reason is null ? answer : $"{answer}: {reason}");
    }

    private async Task<string?> ReasonAsync(string name, CancellationToken ct)
    {
        try
        {
            var txt = await dns.QueryAsync(name, QueryType.TXT, cancellationToken: ct);
            var text = string.Join(" ", txt.Answers.TxtRecords().SelectMany(t => t.Text));
            return text.Length == 0 ? null : text.Length > 300 ? text[..300] : text;
        }
        catch (DnsResponseException)
        {
            return null;
        }
    }

    /// <summary>The name to look up, or null when the subject is not of the list's kind.</summary>
    public static string? QueryName(string subject, BlocklistZone zone)
    {
        var suffix = "." + zone.Zone.Trim().TrimEnd('.');
        if (zone.Kind == BlocklistKinds.Domain) return subject.Contains(':') || IPAddress.TryParse(subject, out _) ? null : subject.TrimEnd('.') + suffix;
        if (!IPAddress.TryParse(subject, out var ip)) return null;
        var bytes = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork) return string.Join('.', bytes.Reverse()) + suffix;
        var nibbles = new StringBuilder();
        foreach (var b in bytes.Reverse()) nibbles.Append($"{b & 0xF:x}.{b >> 4:x}.");
        return nibbles.ToString().TrimEnd('.') + suffix;
    }
}
