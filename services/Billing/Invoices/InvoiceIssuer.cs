using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Vat;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Invoices;

/// <summary>What an invoice will say, decided before its amount is charged: VAT, line and both parties as of now.</summary>
public sealed record InvoiceContent(long NetMinor, long VatMinor, decimal VatRate, string VatTreatment, string LineDescription, Party Seller, Party Buyer)
{
    public long GrossMinor => NetMinor + VatMinor;
}

/// <summary>
/// Prepares every invoice Billing issues (first month, renewals): the VAT of the customer's billing profile as it is
/// now (see <see cref="VatRules"/>), the plan's name on the line, and the seller and buyer snapshots the document keeps.
/// </summary>
public sealed class InvoiceIssuer(VatRules vat, IOptions<SellerOptions> seller)
{
    /// <param name="lineDescription">The line as printed; by default the plan's monthly subscription.</param>
    /// <param name="holder">The buyer without a billing profile, when the account does not hold it yet (a first order).</param>
    public async Task<InvoiceContent> PrepareAsync(UnitOfWork work, Guid customerId, long netMinor, string productName, string? lineDescription = null,
        (string Name, string Email)? holder = null)
    {
        var profile = await BillingProfileRepository.FindAsync(work, customerId);
        Party buyer;
        if (profile is not null)
        {
            buyer = new Party(profile.Company, profile.AddressLine1, profile.AddressLine2, profile.PostalCode, profile.City, profile.Country,
                profile.VatId, Email: profile.BillingEmail);
        }
        else
        {
            var (name, email) = holder ?? await BillingProfileRepository.FindHolderAsync(work, customerId);
            buyer = new Party(name ?? email ?? customerId.ToString(), Email: email);
        }
        var decision = vat.Decide(profile?.Country, profile?.VatId);
        var amounts = VatRules.Charge(netMinor, decision.RatePercent);
        return new InvoiceContent(amounts.NetMinor, amounts.VatMinor, decision.RatePercent, decision.Treatment,
            lineDescription ?? $"{productName}, monthly subscription (prepaid)", Party.Seller(seller.Value), buyer);
    }

    /// <summary>
    /// A consolidated invoice (issue 17, section 5): VAT is computed once on the net total, as on every invoice, and
    /// shared among the lines in proportion to their net (each rounded half away from zero), the last line taking the
    /// cent left over so that the lines add up to the totals exactly.
    /// </summary>
    public async Task<(InvoiceContent Content, IReadOnlyList<long> LineVat)> PrepareLinesAsync(
        UnitOfWork work, Guid customerId, IReadOnlyList<long> lineNetMinor, string description)
    {
        var content = await PrepareAsync(work, customerId, lineNetMinor.Sum(), description, description);
        var vat = new List<long>();
        for (var i = 0; i < lineNetMinor.Count; i++)
        {
            vat.Add(i == lineNetMinor.Count - 1
                ? content.VatMinor - vat.Sum()
                : content.NetMinor == 0 ? 0 : (long)Math.Round((decimal)content.VatMinor * lineNetMinor[i] / content.NetMinor, MidpointRounding.AwayFromZero));
        }
        return (content, vat);
    }
}
