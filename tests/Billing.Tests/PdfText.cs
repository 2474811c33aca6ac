using UglyToad.PdfPig;

namespace ProMTA.Billing.Tests;

/// <summary>A PDF read back the way a reader's program extracts it: the words of each page, one space between them.</summary>
internal static class PdfText
{
    public static string Read(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(page => string.Join(" ", page.GetWords().Select(w => w.Text))));
    }
}
