using System.Globalization;
using System.Text;
using ProMTA.Billing.Data;

namespace ProMTA.Billing.Invoices;

/// <summary>
/// Renders an invoice as a one-page PDF (PDF 1.4, the standard Helvetica font, no library needed). The document
/// is derived from the immutable invoice row, so the same invoice always downloads the same content.
/// </summary>
public static class InvoicePdf
{
    public static byte[] Render(InvoiceRow invoice, string seller)
    {
        var culture = CultureInfo.InvariantCulture;
        string[] lines =
        [
            $"{seller} - Invoice {invoice.Number}",
            "",
            $"Invoice number: {invoice.Number}",
            $"Issued: {invoice.IssuedAt.UtcDateTime.ToString("yyyy-MM-dd", culture)}",
            $"Service: {invoice.ServiceId}",
            $"Period: {invoice.PeriodStart.ToString("yyyy-MM-dd", culture)} to {invoice.PeriodEnd.AddDays(-1).ToString("yyyy-MM-dd", culture)}",
            "",
            $"ProMTA hosted MTA, one month, prepaid: {(invoice.AmountMinor / 100m).ToString("0.00", culture)} {invoice.Currency}",
            "Unlimited relay: no charge for messages, contacts or bandwidth.",
            "",
            $"Total: {(invoice.AmountMinor / 100m).ToString("0.00", culture)} {invoice.Currency}",
            $"Status: {invoice.Status}" + (invoice.PaidAt is { } paid ? $" ({paid.UtcDateTime.ToString("yyyy-MM-dd", culture)})" : ""),
        ];
        var content = new StringBuilder("BT /F1 12 Tf 72 770 Td 16 TL\n");
        foreach (var line in lines) content.Append('(').Append(Escape(line)).Append(") Tj T*\n");
        content.Append("ET");
        return Document(content.ToString());
    }

    private static byte[] Document(string content)
    {
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            $"<< /Length {Encoding.ASCII.GetByteCount(content)} >>\nstream\n{content}\nendstream",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(Encoding.ASCII.GetByteCount(pdf.ToString()));
            pdf.Append(i + 1).Append(" 0 obj\n").Append(objects[i]).Append("\nendobj\n");
        }
        var xref = Encoding.ASCII.GetByteCount(pdf.ToString());
        pdf.Append("xref\n0 ").Append(objects.Length + 1).Append("\n0000000000 65535 f \n");
        foreach (var offset in offsets) pdf.Append(offset.ToString("D10", CultureInfo.InvariantCulture)).Append(" 00000 n \n");
        pdf.Append("trailer\n<< /Size ").Append(objects.Length + 1).Append(" /Root 1 0 R >>\nstartxref\n").Append(xref).Append("\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    /// <summary>PDF string literals: backslash-escape the delimiters; anything outside ASCII becomes '?'.</summary>
    private static string Escape(string text) =>
        new(text.SelectMany(c => c switch
        {
            '(' or ')' or '\\' => new[] { '\\', c },
            > '~' or < ' ' => ['?'],
            _ => [c],
        }).ToArray());
}
