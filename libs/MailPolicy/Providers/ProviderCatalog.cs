namespace ProMTA.MailPolicy.Providers;

/// <summary>
/// The one provider catalogue (<c>Data/providers.json</c>): which receiving provider a destination belongs to, by its MX
/// host (how it is shaped) or, before the MX is known, by the recipient's domain (how it is queued and counted), and
/// each provider's limits; unknown destinations get "default".
/// </summary>
public sealed class ProviderCatalog
{
    /// <summary>The name of the catch-all entry.</summary>
    public const string DefaultName = "default";

    private readonly IReadOnlyList<ProviderLimits> _ordered;
    private readonly Dictionary<string, ProviderLimits> _byName;
    private readonly Dictionary<string, ProviderLimits> _byLabel;

    /// <summary>Builds a catalog; it must hold a "default" entry, and names and labels must be unique.</summary>
    public ProviderCatalog(IEnumerable<ProviderLimits> providers, SafetyCaps unmanagedSafetyCaps)
    {
        _ordered = [.. providers];
        if (_ordered.DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Count() != _ordered.Count
            || _ordered.DistinctBy(p => p.Label, StringComparer.Ordinal).Count() != _ordered.Count)
            throw new ArgumentException("The provider table names each provider and each label once.", nameof(providers));
        _byName = _ordered.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        _byLabel = _ordered.ToDictionary(p => p.Label, StringComparer.Ordinal);
        if (!_byName.ContainsKey(DefaultName))
            throw new ArgumentException("The provider table needs a 'default' entry.", nameof(providers));
        foreach (var p in _ordered)
        {
            if (p.FloorRatePerMinute <= 0 || p.FloorRatePerMinute > p.StartRatePerMinute || p.StartRatePerMinute > p.CeilingRatePerMinute)
                throw new ArgumentException($"Provider '{p.Name}': expected 0 < floor <= start <= ceiling.", nameof(providers));
            if (p.StartConnections < 1 || p.StartConnections > p.MaxConnections || p.MessagesPerConnection < 1)
                throw new ArgumentException($"Provider '{p.Name}': expected 1 <= start connections <= max connections.", nameof(providers));
        }
        UnmanagedSafetyCaps = unmanagedSafetyCaps;
    }

    /// <summary>Every provider, the default included, in the table's order.</summary>
    public IReadOnlyCollection<ProviderLimits> All => _ordered;

    /// <summary>Every provider's label, the default's ("Other") included: what queue filters and holds accept.</summary>
    public IReadOnlyList<string> Labels => [.. _ordered.Select(p => p.Label)];

    /// <summary>The hard caps of unmanaged relays.</summary>
    public SafetyCaps UnmanagedSafetyCaps { get; }

    /// <summary>The limits of <paramref name="provider"/>, or the default ones.</summary>
    public ProviderLimits Get(string provider) =>
        _byName.TryGetValue(provider, out var limits) ? limits : _byName[DefaultName];

    /// <summary>The provider an MX host belongs to ("gmail-smtp-in.l.google.com" -> "gmail"), or "default".</summary>
    public string ResolveByMx(string mxHost)
    {
        var host = mxHost.TrimEnd('.');
        foreach (var p in _ordered)
        {
            if (p.MxSuffixes.Any(suffix => IsDomainOrBelow(host, suffix))) return p.Name;
        }
        return DefaultName;
    }

    /// <summary>
    /// The provider a recipient domain is known to belong to by its name alone ("gmail.com", "yahoo.co.uk"), or the
    /// default: the hint used when a recipient is queued, before its MX is looked up.
    /// </summary>
    public ProviderLimits ForRecipientDomain(string domain)
    {
        var name = domain.TrimEnd('.');
        foreach (var p in _ordered)
        {
            if (p.RecipientDomains.Any(hint => hint.EndsWith('.') ? IsNameUnderAnySuffix(name, hint) : IsDomainOrBelow(name, hint))) return p;
        }
        return _byName[DefaultName];
    }

    /// <summary>The provider a label names ("Gmail" -> gmail), or the default for a label this table does not have.</summary>
    public ProviderLimits ForLabel(string label) =>
        _byLabel.TryGetValue(label, out var limits) ? limits : _byName[DefaultName];

    /// <summary>
    /// The provider a destination is shaped as: by the host of its most preferred MX first (a company domain hosted at
    /// Google is gmail; every row of the table can apply), else by the label its recipients were queued under.
    /// </summary>
    public string ShapedAs(string label, string? mxHost)
    {
        var byMx = mxHost is { Length: > 0 } ? ResolveByMx(mxHost) : DefaultName;
        return byMx != DefaultName ? byMx : ForLabel(label).Name;
    }

    private static bool IsDomainOrBelow(string host, string domain) =>
        host.Equals(domain, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);

    // "gmail." matches gmail.com and gmail.co.uk (the name under any suffix) and mail.gmail.com, never notgmail.com.
    private static bool IsNameUnderAnySuffix(string domain, string hint) =>
        domain.StartsWith(hint, StringComparison.OrdinalIgnoreCase) || domain.Contains("." + hint, StringComparison.OrdinalIgnoreCase);
}
