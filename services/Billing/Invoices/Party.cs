namespace ProMTA.Billing.Invoices;

/// <summary>
/// One party of an invoice (seller or buyer) as printed, stored as a snapshot with the invoice so it never changes
/// after issue. A buyer without a billing profile has only a name and an e-mail address.
/// </summary>
public sealed record Party(
    string Name, string? AddressLine1 = null, string? AddressLine2 = null, string? PostalCode = null, string? City = null,
    string? Country = null, string? VatId = null, string? Registration = null, string? Email = null,
    string? BankName = null, string? Iban = null, string? Bic = null)
{
    public static Party Seller(SellerOptions s) => new(s.LegalName, s.AddressLine1, s.AddressLine2, s.PostalCode, s.City, s.Country, s.VatId,
        s.Registration, s.Email, s.BankName, s.Iban, s.Bic);

    /// <summary>The address as printed, one line each, empty lines left out, the country by its English name.</summary>
    public IEnumerable<string> AddressLines() =>
        new[] { AddressLine1, AddressLine2, string.Join(" ", new[] { PostalCode, City }.Where(p => !string.IsNullOrEmpty(p))), CountryName(Country) }
            .Where(l => !string.IsNullOrEmpty(l))!;

    private static string? CountryName(string? code)
    {
        if (string.IsNullOrEmpty(code)) return null;
        try
        {
            return new System.Globalization.RegionInfo(code).EnglishName;
        }
        catch (ArgumentException)
        {
            return code;
        }
    }

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this);

    public static Party? FromJson(string? json) => json is null ? null : System.Text.Json.JsonSerializer.Deserialize<Party>(json);
}
