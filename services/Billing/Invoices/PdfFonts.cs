using Microsoft.Extensions.Options;
using PdfSharp.Fonts;

namespace ProMTA.Billing.Invoices;

/// <summary>
/// PDFsharp finds no system fonts on Linux: this resolver hands it the configured TrueType files, which it embeds
/// (subset) in each document, so every glyph (EUR sign, accented company names) prints wherever the PDF is opened.
/// PDFsharp's resolver is process-wide and fixed once a font was used: the first options installed win.
/// </summary>
public sealed class PdfFonts : IFontResolver
{
    public const string Family = "Billing Sans";
    private static readonly Lock Gate = new();
    private readonly byte[] regular;
    private readonly byte[] bold;

    public PdfFonts(IOptions<PdfOptions> options)
    {
        var o = options.Value;
        regular = Load(o.FontDirectory, o.RegularFont);
        bold = Load(o.FontDirectory, o.BoldFont);
        lock (Gate)
        {
            GlobalFontSettings.FontResolver ??= this;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) => new(isBold ? "bold" : "regular");

    public byte[]? GetFont(string faceName) => faceName == "bold" ? bold : regular;

    private static byte[] Load(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new InvalidOperationException($"Font {path} not found: install fonts-dejavu-core (eng/install-servers.sh) or set Billing:Pdf:FontDirectory");
    }
}
