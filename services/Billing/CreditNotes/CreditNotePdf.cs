using System.Globalization;
using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Vat;

namespace ProMTA.Billing.CreditNotes;

/// <summary>
/// A credit note as a PDF: the same layout, parties and VAT treatment as the invoice it corrects (from that invoice's
/// snapshots), with the credited net, VAT and gross, and the invoice it references.
/// </summary>
public sealed class CreditNotePdf(DocumentPdf pdf, BillingCalendar calendar, IOptions<SellerOptions> seller)
{
    /// <summary>The series is printed with its own prefix, so a credit note is never read as an invoice number.</summary>
    public static string Display(long number) => string.Create(CultureInfo.InvariantCulture, $"CN-{number}");

    public byte[] Render(CreditNoteRow c) => pdf.Render(Document(c));

    public BillingDocument Document(CreditNoteRow c)
    {
        var period = InvoiceDocument.Period(c.PeriodStart, c.PeriodEnd.AddDays(-1));
        var invoiceNumber = c.InvoiceNumber.ToString(CultureInfo.InvariantCulture);
        var notes = new List<string>
        {
            $"Reason: {c.Reason}",
            $"This credit note corrects invoice {invoiceNumber} of {calendar.LocalDate(c.InvoiceIssuedAt):yyyy-MM-dd}, which itself is unchanged.",
            c.RefundId is null ? "Settlement: credited to your account." : $"Settlement: refunded to the card the invoice was paid with (Stripe refund {c.RefundId}).",
        };
        if (VatTreatment.Mention(c.VatTreatment) is { } mention) notes.Add(mention);
        var description = c.LineDescription ?? $"{c.ProductId}, monthly subscription (prepaid)";
        return new BillingDocument("Credit note", Display(c.Number),
            [("Credit note number", Display(c.Number)), ("Date", $"{calendar.LocalDate(c.IssuedAt):yyyy-MM-dd}"),
             ("Credits invoice", invoiceNumber), ("Service period", period)],
            Party.FromJson(c.Seller) ?? Party.Seller(seller.Value), Party.FromJson(c.Buyer) ?? new Party("Account holder (issued before billing profiles)"),
            [new DocumentLine($"Credit: {description}", $"Service period {period}", c.NetMinor, c.VatRate, c.VatMinor)],
            c.Currency, c.NetMinor, c.VatRate, c.VatMinor, c.AmountMinor, notes);
    }
}
