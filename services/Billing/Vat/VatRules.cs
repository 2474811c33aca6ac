namespace ProMTA.Billing.Vat;

/// <summary>Which VAT an invoice carries and at what rate, decided when it is issued.</summary>
public sealed record VatDecision(string Treatment, decimal RatePercent);

/// <summary>An invoice's or credit note's amounts in integer cents: <c>Gross = Net + Vat</c> always.</summary>
public sealed record VatAmounts(long NetMinor, long VatMinor)
{
    public long GrossMinor => NetMinor + VatMinor;
}

/// <summary>
/// Prices exclude VAT (our customers are businesses). The rules, for a seller established in <c>SellerCountry</c>:
/// a customer in another EU country with a VAT id is reverse charged (0 %, the mention printed); a customer in an EU
/// country without one pays that country's rate; the seller's own country pays its rate; a customer outside the EU
/// is outside the scope of EU VAT; a customer with no billing profile yet pays the seller country's rate.
/// Rounding: VAT is computed once per invoice on the net total, in cents, rounded half away from zero
/// (14900 x 21 % = 3129.00 -> 3129; 999 x 21 % = 209.79 -> 210). A credit note splits the gross it pays back in the
/// invoice's proportion, VAT rounded the same way and net = gross - VAT, so crediting a whole invoice gives back
/// exactly its net and VAT.
/// </summary>
public sealed class VatRules(VatOptions options, string sellerCountry)
{
    public VatDecision Decide(string? country, string? vatId)
    {
        if (country is null) return new(VatTreatment.Standard, options.Rates[sellerCountry]);
        if (!options.IsEu(country)) return new(VatTreatment.OutsideScope, 0);
        if (!string.IsNullOrEmpty(vatId) && !country.Equals(sellerCountry, StringComparison.OrdinalIgnoreCase)) return new(VatTreatment.ReverseCharge, 0);
        return new(VatTreatment.Standard, options.Rates[country]);
    }

    public static VatAmounts Charge(long netMinor, decimal ratePercent) => new(netMinor, Round(netMinor * ratePercent / 100m));

    /// <summary>The part of <paramref name="grossMinor"/> paid back, split like the invoice it credits.</summary>
    public static VatAmounts Credit(long grossMinor, long invoiceVatMinor, long invoiceGrossMinor)
    {
        var vat = invoiceGrossMinor == 0 ? 0 : Round((decimal)grossMinor * invoiceVatMinor / invoiceGrossMinor);
        return new(grossMinor - vat, vat);
    }

    private static long Round(decimal minor) => (long)Math.Round(minor, MidpointRounding.AwayFromZero);
}
