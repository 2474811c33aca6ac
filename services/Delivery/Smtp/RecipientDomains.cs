using System.Net;

namespace ProMTA.Delivery.Smtp;

/// <summary>
/// Destinations nobody may send to through us: address literals, and domains that are an IP address or a name that only
/// means something inside a network (RFC 6761 localhost, RFC 6762 .local, ICANN's .internal, RFC 8375 home.arpa, reverse
/// zones). Mail there could only probe or reach internal hosts.
/// </summary>
public static class RecipientDomains
{
    private static readonly string[] InternalSuffixes = ["localhost", "local", "internal", "home.arpa", "in-addr.arpa", "ip6.arpa", "localdomain"];

    public static bool IsRefused(string domain)
    {
        if (domain.StartsWith('[')) return true;
        var name = domain.TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(name, out _)) return true;
        return InternalSuffixes.Any(s => name == s || name.EndsWith("." + s, StringComparison.Ordinal));
    }
}
