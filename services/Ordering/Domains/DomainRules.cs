using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Domains;

namespace ProMTA.Ordering.Domains;

/// <summary>
/// What may never be a customer's sending domain, whoever asks (issue 14): names that are not host names, address
/// literals, single labels, public suffixes, the platform's own zones and nameserver names and everything around them,
/// and the reverse tree (arpa). Checked before any claim is looked up; claims by others are <see cref="DomainClaims"/>'s.
/// </summary>
public sealed class DomainRules(PublicSuffixList suffixes, IOptions<DomainClaimOptions> options)
{
    private const string ReverseTree = "arpa";

    /// <summary>The normalized domain, or why it is refused.</summary>
    public (string? Domain, DomainRefusal? Refusal) Check(string input)
    {
        if (DomainName.IsIpLiteral(input)) return (null, DomainRefusal.Unclaimable($"'{input}' is an IP address; a sending domain must be a domain name."));
        if (DomainName.Normalize(input) is not { } domain)
        {
            return (null, DomainRefusal.Unclaimable($"'{input}' is not a valid domain name (letters, digits and hyphens in labels of at most 63 characters, or an internationalized name)."));
        }
        if (!domain.Contains('.')) return (null, DomainRefusal.Unclaimable($"'{domain}' is a single label; a sending domain has at least two (example.com)."));
        if (DomainName.IsSelfOrBelow(domain, ReverseTree))
        {
            return (null, DomainRefusal.Unclaimable($"'{domain}' is in the reverse DNS tree ({ReverseTree}); reverse zones are the platform's."));
        }
        foreach (var platform in options.Value.PlatformZones.Concat(options.Value.Nameservers).Select(DomainName.Normalize).OfType<string>())
        {
            if (DomainName.IsSelfOrBelow(domain, platform) || DomainName.IsSelfOrBelow(platform, domain))
            {
                return (null, DomainRefusal.Unclaimable($"'{domain}' overlaps the platform's own zone {platform}."));
            }
        }
        if (suffixes.IsPublicSuffix(domain))
        {
            return (null, DomainRefusal.Unclaimable($"'{domain}' is a public suffix (anyone can register names under it); claim your own domain below it."));
        }
        return (domain, null);
    }
}
