using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net.Mail;

namespace ProMTA.ServiceDefaults.Http.Input;

/// <summary>
/// An address mail can actually be sent to: one mailbox without a display name (what MailAddress parses), at most
/// 254 characters, and a domain of dotted DNS labels with an alphabetic top-level label ("a@b", "a@1.2.3.4" and
/// "a@[127.0.0.1]" are refused: nobody receives mail there, and literals would let a caller aim mail at an IP).
/// </summary>
public static class EmailAddressSyntax
{
    public const int MaxLength = 254;
    private static readonly IdnMapping Idn = new();

    public static bool IsValid(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength || value.Trim() != value) return false;
        if (PlainText.Problem(value, MaxLength) is not null) return false;
        if (!MailAddress.TryCreate(value, out var parsed) || parsed.Address != value || parsed.DisplayName.Length > 0) return false;
        return IsDomain(parsed.Host);
    }

    private static bool IsDomain(string host)
    {
        string ascii;
        try
        {
            ascii = Idn.GetAscii(host);
        }
        catch (ArgumentException)
        {
            return false;
        }
        var labels = ascii.Split('.');
        if (labels.Length < 2 || ascii.Length > 253) return false;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        var top = labels[^1];
        return top.Length >= 2 && (top.All(char.IsAsciiLetter) || top.StartsWith("xn--", StringComparison.Ordinal));
    }
}

/// <summary>DataAnnotations form of <see cref="EmailAddressSyntax"/> for request records; null is left to [Required].</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class EmailSyntaxAttribute : ValidationAttribute
{
    public EmailSyntaxAttribute() : base("{0} must be an email address such as name@example.com.") { }

    public override bool IsValid(object? value) => value is null || (value is string text && EmailAddressSyntax.IsValid(text));
}
