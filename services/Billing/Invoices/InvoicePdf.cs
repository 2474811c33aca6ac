using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Vat;

namespace ProMTA.Billing.Invoices;

/// <summary>
/// An invoice as a PDF, derived from the immutable invoice row and the seller and buyer snapshots it was issued with,
/// so the same invoice always prints the same content (only its payment status moves). Dates are the business zone's,
/// yyyy-MM-dd; the period is printed with both days included, as the API and the portal show it.
/// </summary>
public sealed class InvoicePdf(DocumentPdf pdf, BillingCalendar calendar, IOptions<SellerOptions> seller)
{
    public byte[] Render(InvoiceRow invoice) => pdf.Render(Document(invoice));

    public BillingDocument Document(InvoiceRow i)
    {
        var period = InvoiceDocument.Period(i.PeriodStart, i.PeriodLastDay);
        var issued = calendar.LocalDate(i.IssuedAt);
        var notes = new List<string> { InvoiceDocument.PaymentNote(i, calendar) };
        if (VatTreatment.Mention(i.VatTreatment) is { } mention) notes.Add(mention);
        if (i.AmountRefundedMinor > 0) notes.Add($"Refunded: {DocumentPdf.Money(i.AmountRefundedMinor, i.Currency)}, see the credit notes referencing this invoice.");
        notes.Add("Prices exclude VAT. Unlimited relay: no charge for messages, contacts or bandwidth.");
        return new BillingDocument("Invoice", i.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [("Invoice number", i.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Invoice date", $"{issued:yyyy-MM-dd}"),
             ("Supply date", $"{i.PeriodStart:yyyy-MM-dd}"), ("Service period", period), ("Payment", i.Status)],
            Party.FromJson(i.Seller) ?? Party.Seller(seller.Value), Party.FromJson(i.Buyer) ?? new Party("Account holder (issued before billing profiles)"),
            i.Lines.Count == 0
                ? [new DocumentLine(InvoiceDocument.Description(i), $"Service period {period}", i.NetMinor, i.VatRate, i.VatMinor)]
                : i.Lines.Select(l => new DocumentLine(l.Description,
                    $"Service {l.ServiceId}, period {InvoiceDocument.Period(l.PeriodStart, l.PeriodLastDay)}", l.NetMinor, i.VatRate, l.VatMinor)).ToList(),
            i.Currency, i.NetMinor, i.VatRate, i.VatMinor, i.AmountMinor, notes);
    }
}

/// <summary>The wording invoices share between the API, the PDF and credit notes.</summary>
public static class InvoiceDocument
{
    /// <summary>The plan's name as issued; invoices from before plan names were kept show the product id.</summary>
    public static string Description(InvoiceRow i) => i.LineDescription ?? $"{i.ProductId}, monthly subscription (prepaid)";

    /// <summary>A period as every document prints it: first and last day, both included.</summary>
    public static string Period(DateOnly first, DateOnly last) => $"{first:yyyy-MM-dd} to {last:yyyy-MM-dd}";

    public static string PaymentNote(InvoiceRow i, BillingCalendar calendar)
    {
        var transfer = i.PaymentMethod == "bank_transfer";
        var method = transfer ? "bank transfer" : "card (Stripe)";
        return i.Status switch
        {
            InvoiceStatus.Paid => $"Payment: paid by {method} on {calendar.LocalDate(i.PaidAt ?? i.IssuedAt):yyyy-MM-dd}.",
            InvoiceStatus.Open when transfer => Transfer(i, calendar),
            InvoiceStatus.Open => $"Payment: open, to be charged to the card on file before {i.PeriodStart:yyyy-MM-dd}.",
            InvoiceStatus.Uncollectible => "Payment: not received; written off as uncollectible.",
            _ => $"Payment: {i.Status}.",
        };
    }

    /// <summary>A period is paid before it starts; an upgrade's proration within 14 days of its invoice, the same terms.</summary>
    public static DateOnly TransferDue(InvoiceRow i, BillingCalendar calendar) => i.Kind == InvoiceKind.Proration
        ? calendar.LocalDate(i.IssuedAt).AddDays(BillingCalendar.ChargeDaysAhead)
        : i.PeriodStart;

    private static string Transfer(InvoiceRow i, BillingCalendar calendar)
    {
        var seller = Party.FromJson(i.Seller);
        return $"Payment: open, by bank transfer of {DocumentPdf.Money(i.AmountMinor, i.Currency)} before {TransferDue(i, calendar):yyyy-MM-dd} to "
            + $"{seller?.Name} at {seller?.BankName}, IBAN {seller?.Iban}, BIC {seller?.Bic}, quoting invoice {i.Number}.";
    }
}
