namespace ProMTA.Billing.Invoices;

/// <summary>
/// Billing:Seller: who issues the invoices. The local default is a Dutch company (example data, not a real one);
/// a deployment sets its own. Issued invoices keep the seller as it was when they were issued.
/// </summary>
public sealed class SellerOptions
{
    public string LegalName { get; set; } = "ProMTA B.V.";
    public string AddressLine1 { get; set; } = "Keizersgracht 100";
    public string? AddressLine2 { get; set; }
    public string PostalCode { get; set; } = "1015 AA";
    public string City { get; set; } = "Amsterdam";
    /// <summary>ISO 3166 code of the country the seller is established in: its VAT rate applies at home.</summary>
    public string Country { get; set; } = "NL";
    public string VatId { get; set; } = "NL123456782B01";
    /// <summary>Chamber of commerce registration, printed as given.</summary>
    public string Registration { get; set; } = "KvK 12345678";
    public string Email { get; set; } = "billing@promta.example";
    /// <summary>For customers who pay by bank transfer (rule 8).</summary>
    public string BankName { get; set; } = "ABN AMRO Bank N.V.";
    public string Iban { get; set; } = "NL91ABNA0417164300";
    public string Bic { get; set; } = "ABNANL2A";
    /// <summary>A PNG or JPEG printed at the top of each document; none: the legal name in large type.</summary>
    public string? LogoPath { get; set; }
}
