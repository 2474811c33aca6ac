namespace ProMTA.Billing.Vat;

public static class VatTreatment
{
    /// <summary>VAT charged at the rate of the customer's EU country (the seller's country without a profile).</summary>
    public const string Standard = nameof(Standard);

    /// <summary>An EU business with a VAT id outside the seller's country: no VAT charged, the customer accounts for it.</summary>
    public const string ReverseCharge = nameof(ReverseCharge);

    /// <summary>A customer outside the EU: the place of supply is theirs (Art. 44), no EU VAT.</summary>
    public const string OutsideScope = nameof(OutsideScope);

    /// <summary>Invoices issued before Billing applied VAT.</summary>
    public const string NotCharged = nameof(NotCharged);

    /// <summary>The legal mention printed on the invoice, where the treatment needs one.</summary>
    public static string? Mention(string treatment) => treatment switch
    {
        ReverseCharge => "Reverse charge: VAT to be accounted for by the customer (Article 196, Council Directive 2006/112/EC). BTW verlegd.",
        OutsideScope => "Not subject to EU VAT: place of supply outside the EU (Article 44, Council Directive 2006/112/EC).",
        _ => null,
    };
}
