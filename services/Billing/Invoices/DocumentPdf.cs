using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace ProMTA.Billing.Invoices;

/// <summary>
/// Lays out an invoice or credit note on one A4 page with PDFsharp: seller block (logo or name) top left, document
/// title, number and dates top right, buyer block, the lines with net, VAT and gross, the totals, then the notes
/// (payment status and method, VAT mentions) and a footer with the seller's registration, VAT id and bank.
/// </summary>
public sealed class DocumentPdf(PdfFonts fonts, Microsoft.Extensions.Options.IOptions<SellerOptions> seller)
{
    private const double Left = 50, Right = 545, Width = Right - Left, DescriptionWidth = 260;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public byte[] Render(BillingDocument d)
    {
        _ = fonts; // installed as PDFsharp's resolver by its constructor; keeps DI creating it first
        var regular = new XFont(PdfFonts.Family, 9.5);
        var small = new XFont(PdfFonts.Family, 8);
        var bold = new XFont(PdfFonts.Family, 9.5, XFontStyleEx.Bold);
        var heading = new XFont(PdfFonts.Family, 18, XFontStyleEx.Bold);

        using var document = new PdfDocument();
        document.Info.Title = $"{d.Title} {d.Number}";
        document.Info.Author = d.Seller.Name;
        var page = document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        using (var g = XGraphics.FromPdfPage(page))
        {
            // Seller, top left: logo when configured, else the legal name in large type.
            var y = 50.0;
            if (seller.Value.LogoPath is { } logo && File.Exists(logo))
            {
                using var image = XImage.FromFile(logo);
                var height = 40.0;
                g.DrawImage(image, Left, y, image.PixelWidth * height / image.PixelHeight, height);
                y += height + 6;
                Text(g, d.Seller.Name, bold, Left, y);
                y += 13;
            }
            else
            {
                Text(g, d.Seller.Name, heading, Left, y);
                y += 24;
            }
            foreach (var line in d.Seller.AddressLines().Concat(Lines(("VAT ID", d.Seller.VatId), ("Reg.", d.Seller.Registration), ("E-mail", d.Seller.Email))))
            {
                Text(g, line, regular, Left, y);
                y += 12;
            }

            // Title and facts, top right.
            Text(g, d.Title.ToUpperInvariant(), heading, Right, 50, Align.Right);
            var fy = 78.0;
            foreach (var (label, value) in d.Facts)
            {
                Text(g, label, regular, 320, fy);
                Text(g, value, bold, Right, fy, Align.Right);
                fy += 13;
            }

            // Buyer.
            y = Math.Max(y, fy) + 18;
            Text(g, d.Title == "Invoice" ? "Bill to" : "Credited to", bold, Left, y);
            y += 13;
            foreach (var line in new[] { d.Buyer.Name }.Concat(d.Buyer.AddressLines()).Concat(Lines(("VAT ID", d.Buyer.VatId), ("E-mail", d.Buyer.Email))))
            {
                Text(g, line, regular, Left, y);
                y += 12;
            }

            // Lines: the description with its period below it, then net, VAT rate, VAT and gross.
            y += 18;
            double[] columns = [Left, 370, 420, 480, Right];
            string[] headers = ["Description", "Net", "VAT %", "VAT", "Gross"];
            for (var i = 0; i < headers.Length; i++) Text(g, headers[i], bold, columns[i], y, i >= 1 ? Align.Right : Align.Left);
            y += 14;
            g.DrawLine(XPens.Gray, Left, y, Right, y);
            y += 5;
            foreach (var line in d.Lines)
            {
                // A long description (a proration's days) wraps within its column instead of running under the amounts.
                var description = Wrap(g, line.Description, regular, DescriptionWidth).ToList();
                Text(g, description[0], regular, Left, y);
                Text(g, Money(line.NetMinor, d.Currency), regular, columns[1], y, Align.Right);
                Text(g, Percent(line.VatRate), regular, columns[2], y, Align.Right);
                Text(g, Money(line.VatMinor, d.Currency), regular, columns[3], y, Align.Right);
                Text(g, Money(line.NetMinor + line.VatMinor, d.Currency), regular, Right, y, Align.Right);
                y += 12;
                foreach (var more in description.Skip(1))
                {
                    Text(g, more, regular, Left, y);
                    y += 12;
                }
                Text(g, line.Period, small, Left, y);
                y += 14;
            }
            g.DrawLine(XPens.Gray, Left, y, Right, y);

            // Totals.
            y += 8;
            foreach (var (label, amount, font) in new[]
                     {
                         ("Net total", d.NetMinor, regular), ($"VAT {Percent(d.VatRate)}", d.VatMinor, regular),
                         (d.Title == "Invoice" ? "Total" : "Total credited", d.GrossMinor, bold),
                     })
            {
                Text(g, label, font, 340, y);
                Text(g, Money(amount, d.Currency), font, Right, y, Align.Right);
                y += 14;
            }

            // Notes: payment, VAT mentions, references.
            y += 14;
            foreach (var note in d.Notes)
            {
                foreach (var wrapped in Wrap(g, note, regular, Width))
                {
                    Text(g, wrapped, regular, Left, y);
                    y += 12;
                }
                y += 4;
            }

            // Footer.
            var footer = string.Join("  ·  ", Lines(("", d.Seller.Name), ("", d.Seller.Registration), ("VAT ID", d.Seller.VatId),
                ("IBAN", d.Seller.Iban), ("BIC", d.Seller.Bic)));
            g.DrawLine(XPens.LightGray, Left, 790, Right, 790);
            Text(g, footer, small, Left + Width / 2, 796, Align.Center);
        }
        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }

    public static string Money(long minor, string currency) => string.Create(Invariant, $"{minor / 100m:0.00} {currency.ToUpperInvariant()}");

    public static string Percent(decimal rate) => string.Create(Invariant, $"{rate:0.##}%");

    private static IEnumerable<string> Lines(params (string Label, string? Value)[] pairs) =>
        pairs.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Label.Length == 0 ? p.Value! : $"{p.Label}: {p.Value}");

    private enum Align { Left, Right, Center }

    /// <summary>Left: starts at x. Right: ends at x. Center: centred on the page's text width.</summary>
    private static void Text(XGraphics g, string text, XFont font, double x, double y, Align align = Align.Left)
    {
        var (box, format) = align switch
        {
            Align.Right => (new XRect(Left, y, x - Left, 14), XStringFormats.TopRight),
            Align.Center => (new XRect(Left, y, Width, 14), XStringFormats.TopCenter),
            _ => (new XRect(x, y, Right - x, 14), XStringFormats.TopLeft),
        };
        g.DrawString(text, font, XBrushes.Black, box, format);
    }

    /// <summary>Breaks a note into lines that fit the page width, at spaces.</summary>
    private static IEnumerable<string> Wrap(XGraphics g, string text, XFont font, double width)
    {
        var line = "";
        foreach (var word in text.Split(' '))
        {
            var candidate = line.Length == 0 ? word : $"{line} {word}";
            if (line.Length > 0 && g.MeasureString(candidate, font).Width > width)
            {
                yield return line;
                line = word;
            }
            else
            {
                line = candidate;
            }
        }
        if (line.Length > 0) yield return line;
    }
}
