namespace ProMTA.MailPolicy.Providers;

/// <summary>Per-provider starting limits and ceilings (<c>Data/providers.json</c>); unknown providers get "default".</summary>
public sealed class ProviderCatalog
{
    /// <summary>The name of the catch-all entry.</summary>
    public const string DefaultName = "default";

    private readonly Dictionary<string, ProviderLimits> _byName;

    /// <summary>Builds a catalog; it must hold a "default" entry.</summary>
    public ProviderCatalog(IEnumerable<ProviderLimits> providers, SafetyCaps unmanagedSafetyCaps)
    {
        _byName = providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        if (!_byName.ContainsKey(DefaultName))
            throw new ArgumentException("The provider table needs a 'default' entry.", nameof(providers));
        foreach (var p in _byName.Values)
        {
            if (p.FloorRatePerMinute <= 0 || p.FloorRatePerMinute > p.StartRatePerMinute || p.StartRatePerMinute > p.CeilingRatePerMinute)
                throw new ArgumentException($"Provider '{p.Name}': expected 0 < floor <= start <= ceiling.", nameof(providers));
            if (p.StartConnections < 1 || p.StartConnections > p.MaxConnections || p.MessagesPerConnection < 1)
                throw new ArgumentException($"Provider '{p.Name}': expected 1 <= start connections <= max connections.", nameof(providers));
        }
        UnmanagedSafetyCaps = unmanagedSafetyCaps;
    }

    /// <summary>Every provider, the default included.</summary>
    public IReadOnlyCollection<ProviderLimits> All => _byName.Values;

    /// <summary>The hard caps of unmanaged relays.</summary>
    public SafetyCaps UnmanagedSafetyCaps { get; }

    /// <summary>The limits of <paramref name="provider"/>, or the default ones.</summary>
    public ProviderLimits Get(string provider) =>
        _byName.TryGetValue(provider, out var limits) ? limits : _byName[DefaultName];

    /// <summary>The provider an MX host belongs to ("gmail-smtp-in.l.google.com" -> "gmail"), or "default".</summary>
    public string ResolveByMx(string mxHost)
    {
        var host = mxHost.TrimEnd('.');
        foreach (var p in _byName.Values)
        {
            foreach (var suffix in p.MxSuffixes)
            {
                if (host.Equals(suffix, StringComparison.OrdinalIgnoreCase)
                    || host.EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase)) return p.Name;
            }
        }
        return DefaultName;
    }
}
