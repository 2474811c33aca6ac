namespace ProMTA.Billing.Invoices;

/// <summary>Billing:Pdf: where the TrueType fonts embedded in invoices and credit notes are (Debian's fonts-dejavu-core).</summary>
public sealed class PdfOptions
{
    public string FontDirectory { get; set; } = "/usr/share/fonts/truetype/dejavu";
    public string RegularFont { get; set; } = "DejaVuSans.ttf";
    public string BoldFont { get; set; } = "DejaVuSans-Bold.ttf";
}
