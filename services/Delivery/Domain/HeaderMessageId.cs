using MimeKit;
using MimeKit.Utils;

namespace ProMTA.Delivery.Domain;

/// <summary>
/// The Message-ID header of a submitted message, as MimeKit reads it (no angle brackets, the form a returned original's
/// MimeMessage.MessageId has in a feedback report): what the customer's software knows their message by.
/// </summary>
public static class HeaderMessageId
{
    /// <summary>Longer than any sane id; a longer one is not kept (the index stays small, a search still finds by queue id).</summary>
    public const int MaxLength = 998;

    /// <summary>The Message-ID of a submitted message's header fields (<see cref="SubmittedHeaders.Load"/>), normalized; null when it has none.</summary>
    public static string? Of(HeaderList? headers) => headers?[HeaderId.MessageId] is { } value ? Normalize(value) : null;

    /// <summary>
    /// "&lt;id@host&gt;", with folding or comments, or a bare id: the id alone; null when empty, too long or holding a
    /// control character (no Message-ID has one, and PostgreSQL refuses a NUL in text).
    /// </summary>
    public static string? Normalize(string value)
    {
        if (value.Length > MaxLength + 2 || value.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t'))) return null;
        var id = MimeUtils.ParseMessageId(value) ?? value.Trim().Trim('<', '>').Trim();
        return id.Length is > 0 and <= MaxLength && !id.Any(char.IsControl) ? id : null;
    }
}
