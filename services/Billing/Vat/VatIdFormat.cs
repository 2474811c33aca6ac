using System.Text.RegularExpressions;

namespace ProMTA.Billing.Vat;

/// <summary>
/// The shape of an EU VAT identification number per member state (the VIES formats): two-letter prefix (EL for
/// Greece) then the national part. Only the shape: whether the number is registered is for <see cref="IVatIdCheck"/>.
/// </summary>
public static partial class VatIdFormat
{
    private static readonly Dictionary<string, Regex> Formats = new(StringComparer.Ordinal)
    {
        ["AT"] = Re(@"U\d{8}"), ["BE"] = Re(@"[01]\d{9}"), ["BG"] = Re(@"\d{9,10}"), ["CY"] = Re(@"\d{8}[A-Z]"),
        ["CZ"] = Re(@"\d{8,10}"), ["DE"] = Re(@"\d{9}"), ["DK"] = Re(@"\d{8}"), ["EE"] = Re(@"\d{9}"), ["EL"] = Re(@"\d{9}"),
        ["ES"] = Re(@"[A-Z0-9]\d{7}[A-Z0-9]"), ["FI"] = Re(@"\d{8}"), ["FR"] = Re(@"[A-HJ-NP-Z0-9]{2}\d{9}"), ["HR"] = Re(@"\d{11}"),
        ["HU"] = Re(@"\d{8}"), ["IE"] = Re(@"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]"), ["IT"] = Re(@"\d{11}"), ["LT"] = Re(@"\d{9}|\d{12}"),
        ["LU"] = Re(@"\d{8}"), ["LV"] = Re(@"\d{11}"), ["MT"] = Re(@"\d{8}"), ["NL"] = Re(@"\d{9}B\d{2}"), ["PL"] = Re(@"\d{10}"),
        ["PT"] = Re(@"\d{9}"), ["RO"] = Re(@"[1-9]\d{1,9}"), ["SE"] = Re(@"\d{10}01"), ["SI"] = Re(@"\d{8}"), ["SK"] = Re(@"\d{10}"),
    };

    /// <summary>Upper case without the spaces, dots and dashes people type: "nl 8195.04.223 b01" -> "NL819504223B01".</summary>
    public static string Normalize(string vatId) => Separators().Replace(vatId.Trim().ToUpperInvariant(), "");

    /// <summary>The VAT prefix of an ISO country code: Greece's VAT ids start with EL.</summary>
    public static string Prefix(string country) => country.ToUpperInvariant() == "GR" ? "EL" : country.ToUpperInvariant();

    /// <summary>Null when <paramref name="normalized"/> is a well-formed VAT id of <paramref name="country"/>, else why not.</summary>
    public static string? Problem(string country, string normalized)
    {
        var prefix = Prefix(country);
        if (!Formats.TryGetValue(prefix, out var format)) return null; // outside the EU: any national tax number is kept as given
        if (!normalized.StartsWith(prefix, StringComparison.Ordinal)) return $"A VAT id of {country.ToUpperInvariant()} starts with {prefix}.";
        return format.IsMatch(normalized[prefix.Length..]) ? null : $"{normalized} is not a well-formed VAT id of {country.ToUpperInvariant()}.";
    }

    private static Regex Re(string pattern) => new($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [GeneratedRegex(@"[\s.\-]")]
    private static partial Regex Separators();
}
