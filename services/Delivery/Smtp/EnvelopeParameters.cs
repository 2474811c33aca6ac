using System.Text;

namespace ProMTA.Delivery.Smtp;

/// <summary>RFC 3461 4.1: which outcomes the sender wants reported for a recipient. <see cref="Never"/> stands alone.</summary>
[Flags]
public enum DsnNotify { Never = 1, Success = 2, Failure = 4, Delay = 8 }

/// <summary>RFC 3461 4.3: the whole message or only its headers in a report.</summary>
public enum DsnReturn { Full, Headers }

/// <summary>The parameters of MAIL FROM the engine honours (SIZE: RFC 1870, BODY: RFC 6152, RET/ENVID: RFC 3461).</summary>
public sealed record MailParameters(long? Size, DsnReturn? Return, string? EnvelopeId)
{
    public static readonly MailParameters None = new(null, null, null);
}

/// <summary>ESMTP parameters: each known one parsed and checked, an unknown one refused with 555 (RFC 5321 4.1.1.11).</summary>
internal static class EnvelopeParameters
{
    public static MailParameters ParseMail(IReadOnlyList<(string Key, string? Value)> parameters)
    {
        long? size = null;
        DsnReturn? ret = null;
        string? envelopeId = null;
        foreach (var (key, value) in parameters)
        {
            switch (key)
            {
                case "SIZE":
                    size = long.TryParse(value, System.Globalization.NumberStyles.None, null, out var s) ? s : throw Bad(key);
                    break;
                case "BODY":
                    if (value?.ToUpperInvariant() is not ("7BIT" or "8BITMIME")) throw Bad(key);
                    break;
                case "RET":
                    ret = value?.ToUpperInvariant() switch { "FULL" => DsnReturn.Full, "HDRS" => DsnReturn.Headers, _ => throw Bad(key) };
                    break;
                case "ENVID":
                    envelopeId = value is { Length: > 0 and <= 100 } && XText.TryDecode(value, out var id) ? id : throw Bad(key);
                    break;
                case "AUTH":
                    // RFC 4954 5: the submitter's claimed identity; a submission server need not trust it, and we do not.
                    if (value is null) throw Bad(key);
                    break;
                default:
                    throw new SmtpResponseException(SmtpReplies.UnsupportedParameter(key));
            }
        }
        return new MailParameters(size, ret, envelopeId);
    }

    public static (DsnNotify? Notify, string? OriginalRecipient) ParseRcpt(IReadOnlyList<(string Key, string? Value)> parameters)
    {
        DsnNotify? notify = null;
        string? original = null;
        foreach (var (key, value) in parameters)
        {
            switch (key)
            {
                case "NOTIFY":
                    notify = ParseNotify(value) ?? throw Bad(key);
                    break;
                case "ORCPT":
                    original = ParseOriginalRecipient(value) ?? throw Bad(key);
                    break;
                default:
                    throw new SmtpResponseException(SmtpReplies.UnsupportedParameter(key));
            }
        }
        return (notify, original);
    }

    /// <summary>"NEVER" alone, or a list of SUCCESS, FAILURE, DELAY.</summary>
    private static DsnNotify? ParseNotify(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        DsnNotify notify = 0;
        foreach (var item in value.Split(','))
        {
            DsnNotify? one = item.ToUpperInvariant() switch
            {
                "NEVER" => DsnNotify.Never,
                "SUCCESS" => DsnNotify.Success,
                "FAILURE" => DsnNotify.Failure,
                "DELAY" => DsnNotify.Delay,
                _ => null,
            };
            if (one is null) return null;
            notify |= one.Value;
        }
        return notify.HasFlag(DsnNotify.Never) && notify != DsnNotify.Never ? null : notify;
    }

    /// <summary>ORCPT=addr-type;xtext (RFC 3461 4.2), kept decoded as "rfc822;address" for the report's Original-Recipient.</summary>
    private static string? ParseOriginalRecipient(string? value)
    {
        if (value is null || value.Length > 500) return null;
        var semicolon = value.IndexOf(';');
        if (semicolon <= 0) return null;
        var type = value[..semicolon];
        if (!type.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return null;
        return XText.TryDecode(value[(semicolon + 1)..], out var address) && address.Length > 0 ? $"{type.ToLowerInvariant()};{address}" : null;
    }

    private static SmtpResponseException Bad(string key) => new(SmtpReplies.BadParameter(key));
}

/// <summary>RFC 3461 4: printable ASCII except '+' and '=', with "+XX" hex escapes.</summary>
public static class XText
{
    public static bool TryDecode(string value, out string decoded)
    {
        var text = new StringBuilder(value.Length);
        decoded = "";
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '+')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigitUpper(value[i + 1]) && !char.IsAsciiDigit(value[i + 1])
                    || !char.IsAsciiHexDigitUpper(value[i + 2]) && !char.IsAsciiDigit(value[i + 2])) return false;
                text.Append((char)Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c is < '!' or > '~' or '=') return false;
            else text.Append(c);
        }
        decoded = text.ToString();
        return true;
    }
}
