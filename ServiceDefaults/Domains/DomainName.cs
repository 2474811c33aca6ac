using System.Globalization;
using System.Net;

namespace ProMTA.ServiceDefaults.Domains;

/// <summary>
/// Domain names in the one form every service compares: IDNA A-labels (UTS #46 through <see cref="IdnMapping"/>), lower
/// case, no trailing dot. Ordering claims domains in this form, Dns hosts them and Delivery matches senders against them,
/// so "Bücher.Example." and "xn--bcher-kva.example" are the same claim everywhere.
/// </summary>
public static class DomainName
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>The normalized name, or null when <paramref name="input"/> is not a host name (syntax, IDNA, lengths).</summary>
    public static string? Normalize(string? input)
    {
        var trimmed = input?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 253 * 4) return null;
        if (trimmed.EndsWith('.')) trimmed = trimmed[..^1];
        string ascii;
        try
        {
            ascii = Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
        // GetAscii enforces STD3 characters; the DNS limits on the A-label form are ours to check.
        if (ascii.Length is 0 or > 253) return null;
        foreach (var label in ascii.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return null;
        }
        return ascii;
    }

    /// <summary>An address literal such as 192.0.2.1 or [2001:db8::1]: never a domain anyone can claim or send as.</summary>
    public static bool IsIpLiteral(string input)
    {
        var trimmed = input.Trim().TrimEnd('.');
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']')) trimmed = trimmed[1..^1];
        if (trimmed.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase)) trimmed = trimmed[5..];
        return IPAddress.TryParse(trimmed, out _) || trimmed.Split('.').All(l => l.Length > 0 && l.All(char.IsAsciiDigit));
    }

    /// <summary>True when <paramref name="name"/> is <paramref name="zone"/> or a name below it (both normalized).</summary>
    public static bool IsSelfOrBelow(string name, string zone) =>
        name == zone || (name.Length > zone.Length && name.EndsWith(zone, StringComparison.Ordinal) && name[^(zone.Length + 1)] == '.');

    /// <summary>Every proper ancestor of a normalized name, nearest first: "a.b.example" -> "b.example", "example".</summary>
    public static IReadOnlyList<string> Ancestors(string name)
    {
        var ancestors = new List<string>();
        for (var dot = name.IndexOf('.'); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            ancestors.Add(name[(dot + 1)..]);
        }
        return ancestors;
    }

    /// <summary>The domain of an address (the part after the last '@'), normalized; null without one or when invalid.</summary>
    public static string? OfAddress(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        return at < 0 ? null : Normalize(address![(at + 1)..].TrimEnd('>'));
    }
}
