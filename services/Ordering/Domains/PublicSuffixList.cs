using ProMTA.ServiceDefaults.Domains;

namespace ProMTA.Ordering.Domains;

/// <summary>
/// The Public Suffix List (publicsuffix.org's format, as Debian's publicsuffix package ships it): names under which
/// anyone can register (co.uk, github.io). A suffix is no customer's domain, so none may be claimed. Rules are
/// "example", "*.example" (every child of example) and "!www.example" (an exception to a wildcard); a name that no rule
/// lists but is one label long is a suffix by the list's default rule "*".
/// </summary>
public sealed class PublicSuffixList
{
    private readonly HashSet<string> rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> exceptions = new(StringComparer.Ordinal);

    public PublicSuffixList(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal)) continue;
            // A rule is the first word of its line; the rest may be a comment.
            var rule = line.Split([' ', '\t'], 2)[0];
            if (rule.StartsWith('!')) Add(exceptions, rule[1..]);
            else if (rule.StartsWith("*.", StringComparison.Ordinal)) Add(wildcards, rule[2..]);
            else Add(rules, rule);
        }
        if (rules.Count == 0) throw new InvalidOperationException("The public suffix list has no rules");
    }

    public int Count => rules.Count + wildcards.Count + exceptions.Count;

    public static PublicSuffixList Load(string path) =>
        File.Exists(path)
            ? new PublicSuffixList(File.ReadLines(path))
            : throw new FileNotFoundException($"Public suffix list not found at {path}: install Debian's publicsuffix package (eng/install-servers.sh) or set Domains:PublicSuffixList", path);

    /// <summary>True when the normalized <paramref name="domain"/> is itself a public suffix (not a name below one).</summary>
    public bool IsPublicSuffix(string domain)
    {
        if (exceptions.Contains(domain)) return false;
        if (rules.Contains(domain) || !domain.Contains('.')) return true;
        return wildcards.Contains(domain[(domain.IndexOf('.') + 1)..]);
    }

    // Internationalized rules are written in Unicode; names are compared in their A-label form.
    private static void Add(HashSet<string> set, string rule)
    {
        if (DomainName.Normalize(rule) is { } normalized) set.Add(normalized);
    }
}
