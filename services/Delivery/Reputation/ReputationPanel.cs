using ProMTA.Delivery.Data;

namespace ProMTA.Delivery.Reputation;

/// <summary>One day of an IP's mail: attempts delivered, deferred and bounced, and complaints about mail it sent.</summary>
public sealed record IpDay(DateTimeOffset Day, long Delivered, long Deferred, long Bounced, long Complained);

/// <summary>
/// A window's totals and rates: acceptance is delivered per attempt (delivered + deferred + bounced), deferral deferred
/// per attempt, complaints per delivered message (the ratio ISPs publish thresholds for, e.g. Gmail's 0.3 %).
/// Null where nothing was attempted or delivered: no rate is better than an invented 100 %.
/// </summary>
public sealed record TrendTotals(long Delivered, long Deferred, long Bounced, long Complained, double? AcceptanceRate, double? DeferralRate, double? ComplaintRate)
{
    public static TrendTotals Of(IEnumerable<IpDay> days)
    {
        long delivered = 0, deferred = 0, bounced = 0, complained = 0;
        foreach (var d in days) { delivered += d.Delivered; deferred += d.Deferred; bounced += d.Bounced; complained += d.Complained; }
        var attempts = delivered + deferred + bounced;
        return new(delivered, deferred, bounced, complained,
            attempts == 0 ? null : Math.Round((double)delivered / attempts, 4),
            attempts == 0 ? null : Math.Round((double)deferred / attempts, 4),
            delivered == 0 ? null : Math.Round((double)complained / delivered, 5));
    }
}

/// <summary>A dedicated IP: the lists that list it now, and its last days' trend.</summary>
public sealed record IpReputation(string Ip, IReadOnlyList<string> ListedBy, TrendTotals Totals, IReadOnlyList<IpDay> Days);

/// <summary>A sending domain: the lists that list it now, and the complaints about mail from it.</summary>
public sealed record DomainReputation(string Domain, IReadOnlyList<string> ListedBy, long Complained, IReadOnlyList<SendingDomainDay> Days);

/// <summary>Puts each IP's and domain's listings beside its trend over the panel's window.</summary>
public static class ReputationPanel
{
    /// <summary>The window the panel shows: two weeks, the span over which ISPs' postmaster tools judge a sender too.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(14);

    public static IReadOnlyList<IpReputation> Addresses(IReadOnlyList<string> ips, IReadOnlyList<SourceIpDay> days, IReadOnlyList<BlocklistListing> listed)
    {
        var byIp = days.ToLookup(d => d.SourceIp);
        // An IP that sent in the window but is no longer the service's (a plan downgrade) still has its trend shown.
        return [.. ips.Union(byIp.Select(g => g.Key)).Order(StringComparer.Ordinal).Select(ip =>
        {
            var trend = byIp[ip].Select(d => new IpDay(d.Day, d.Delivered, d.Deferred, d.Bounced, d.Complained)).ToList();
            return new IpReputation(ip, ListedBy(listed, "ip", ip), TrendTotals.Of(trend), trend);
        })];
    }

    public static IReadOnlyList<DomainReputation> Domains(IReadOnlyList<string> domains, IReadOnlyList<SendingDomainDay> complaints, IReadOnlyList<BlocklistListing> listed)
    {
        var byDomain = complaints.ToLookup(c => c.Domain, StringComparer.OrdinalIgnoreCase);
        return [.. domains.Union(byDomain.Select(g => g.Key), StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).Select(domain =>
            new DomainReputation(domain, ListedBy(listed, "domain", domain), byDomain[domain].Sum(d => d.Complained), [.. byDomain[domain]]))];
    }

    private static IReadOnlyList<string> ListedBy(IReadOnlyList<BlocklistListing> listed, string kind, string subject) =>
        [.. listed.Where(l => l.Kind == kind && string.Equals(l.Subject, subject, StringComparison.OrdinalIgnoreCase)).Select(l => l.Zone).Distinct()];
}
