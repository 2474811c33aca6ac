using System.Buffers;
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

    /// <summary>Reads only the header block (<paramref name="headerBytes"/> long, without the blank line, when known; 0: up to the blank line).</summary>
    public static string? Of(ReadOnlySequence<byte> message, int headerBytes)
    {
        var head = headerBytes > 0 && headerBytes + 2 < message.Length ? message.Slice(0, headerBytes + 2) : message;
        try
        {
            using var stream = new MemoryStream(head.ToArray(), writable: false);
            var value = HeaderList.Load(stream)[HeaderId.MessageId];
            return value is null ? null : Normalize(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }

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
