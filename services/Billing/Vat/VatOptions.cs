namespace ProMTA.Billing.Vat;

/// <summary>
/// Billing:Vat: the standard VAT rate of each EU member state, in percent, keyed by ISO 3166 country code (Greece is
/// GR here; its VAT ids start with EL). The defaults are the standard rates in force in 2026; a rate change is a
/// configuration change (Billing:Vat:Rates:FI=25.5) and applies to invoices issued after it, never to issued ones.
/// </summary>
public sealed class VatOptions
{
    public Dictionary<string, decimal> Rates { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AT"] = 20, ["BE"] = 21, ["BG"] = 20, ["CY"] = 19, ["CZ"] = 21, ["DE"] = 19, ["DK"] = 25, ["EE"] = 24, ["ES"] = 21,
        ["FI"] = 25.5m, ["FR"] = 20, ["GR"] = 24, ["HR"] = 25, ["HU"] = 27, ["IE"] = 23, ["IT"] = 22, ["LT"] = 21, ["LU"] = 17,
        ["LV"] = 21, ["MT"] = 18, ["NL"] = 21, ["PL"] = 23, ["PT"] = 23, ["RO"] = 21, ["SE"] = 25, ["SI"] = 22, ["SK"] = 23,
    };

    public bool IsEu(string country) => Rates.ContainsKey(country);
}
