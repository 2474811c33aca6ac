namespace ProMTA.Delivery.Reputation;

/// <summary>One DNS blocklist to watch (section "Reputation:Blocklists").</summary>
public sealed class BlocklistZone
{
    /// <summary>The list's zone, e.g. zen.spamhaus.org (IPs) or dbl.spamhaus.org (domains).</summary>
    public string Zone { get; set; } = "";

    /// <summary>"ip" for a list of addresses (queried as reversed octets), "domain" for a list of domains.</summary>
    public string Kind { get; set; } = BlocklistKinds.Ip;

    /// <summary>The providers (Gmail, Yahoo, Outlook, Other) that refuse mail from what this list lists; empty: every provider.</summary>
    public string[] Providers { get; set; } = [];
}

public static class BlocklistKinds
{
    public const string Ip = "ip";
    public const string Domain = "domain";
}

/// <summary>The reputation watch (section "Reputation"): which lists, how often. No list configured: nothing is polled.</summary>
public sealed class ReputationOptions
{
    public List<BlocklistZone> Blocklists { get; set; } = [];

    /// <summary>How often every dedicated IP and hosted domain is looked up in every list.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lookups in flight at once (a cycle over thousands of IPs must not flood the resolver).</summary>
    public int Concurrency { get; set; } = 8;
}
