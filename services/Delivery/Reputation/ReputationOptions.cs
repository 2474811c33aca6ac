using ProMTA.ServiceDefaults.Reputation;

namespace ProMTA.Delivery.Reputation;

/// <summary>The reputation watch (section "Reputation"): which lists, how often. No list configured: nothing is polled.</summary>
public sealed class ReputationOptions
{
    public List<BlocklistZone> Blocklists { get; set; } = [];

    /// <summary>How often every dedicated IP and hosted domain is looked up in every list.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lookups in flight at once (a cycle over thousands of IPs must not flood the resolver).</summary>
    public int Concurrency { get; set; } = 8;
}
