using ProMTA.MailPolicy.Providers;

namespace ProMTA.Delivery.Domain;

/// <summary>The receiving provider a recipient domain belongs to: statistics and throttling are per provider.</summary>
public static class Providers
{
    public const string Other = "Other";

    private static readonly (string Provider, string[] Markers)[] Known =
    [
        ("Gmail", ["gmail.", "googlemail.", "google."]),
        ("Yahoo", ["yahoo.", "ymail.", "aol."]),
        ("Outlook", ["outlook.", "hotmail.", "live.", "msn."]),
    ];

    public static string ForDomain(string domain)
    {
        var lower = domain.ToLowerInvariant();
        foreach (var (provider, markers) in Known)
        {
            if (markers.Any(m => lower.StartsWith(m, StringComparison.Ordinal) || lower.Contains('.' + m, StringComparison.Ordinal))) return provider;
        }
        return Other;
    }

    /// <summary>The name the throttling controller's data uses for a provider ("Gmail" -> "gmail", "Other" -> "default").</summary>
    public static string ThrottleName(string provider) => provider == Other ? ProviderCatalog.DefaultName : provider.ToLowerInvariant();

    /// <summary>
    /// The provider the controller shapes a destination as: by the host of its most preferred MX first (a company domain
    /// hosted at Google is Gmail, at Microsoft Outlook; every row of the provider table can apply), else by the recipient
    /// domain's name (<paramref name="provider"/>, as stored with the recipient).
    /// </summary>
    public static string ThrottleName(string provider, string? mxHost, ProviderCatalog catalog)
    {
        var byMx = mxHost is { Length: > 0 } ? catalog.ResolveByMx(mxHost) : ProviderCatalog.DefaultName;
        return byMx != ProviderCatalog.DefaultName ? byMx : ThrottleName(provider);
    }
}
