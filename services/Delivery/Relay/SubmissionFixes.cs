using System.Buffers;
using MimeKit;
using MimeKit.Utils;
using ProMTA.Delivery.Smtp;

namespace ProMTA.Delivery.Relay;

/// <summary>
/// RFC 6409 8: what a submission server completes or repairs before relaying. Date and Message-ID are added when missing
/// (8.2, 8.3); a line longer than RFC 5322's 998 octets is re-encoded (a body part as quoted-printable or base64, with
/// MIME-Version) or folded (a header); what still cannot be sent as valid mail is refused with 554 5.6.0. Bare CR/LF were
/// already made CRLF while DATA was read. Only messages whose shape says they need it are parsed: the common, complete
/// message goes to the queue untouched.
/// </summary>
internal static class SubmissionFixes
{
    private static readonly FormatOptions Crlf = CreateFormat();

    public static byte[] Apply(ReadOnlySequence<byte> content, MessageShape shape, string messageIdDomain, DateTimeOffset now)
    {
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(new MemoryStream(content.ToArray(), writable: false));
        }
        catch (FormatException)
        {
            // Retrying would fail the same way: a permanent refusal, not "try again".
            throw RelaySession.Reply(554, "5.6.0 Message could not be parsed as RFC 5322 text");
        }
        if (!shape.HasDate) message.Date = now;
        if (!shape.HasMessageId) message.MessageId = MimeUtils.GenerateMessageId(messageIdDomain);
        var reencoded = false;
        foreach (var entity in Entities(message))
        {
            FoldLongHeaders(entity.Headers);
            if (entity is MimePart part && part.ContentTransferEncoding is ContentEncoding.Default or ContentEncoding.SevenBit or ContentEncoding.EightBit or ContentEncoding.Binary
                && part.Content is { } body && HasLongLine(body.Open()))
            {
                // Text stays readable as quoted-printable; anything else is safest as base64.
                part.ContentTransferEncoding = part is TextPart ? ContentEncoding.QuotedPrintable : ContentEncoding.Base64;
                reencoded = true;
            }
        }
        FoldLongHeaders(message.Headers);
        if (reencoded && !message.Headers.Contains(HeaderId.MimeVersion)) message.Headers.Add(HeaderId.MimeVersion, "1.0");
        using var output = new MemoryStream((int)content.Length + 512);
        message.WriteTo(Crlf, output);
        var fixedBytes = output.ToArray();
        // Whatever could not be repaired (an unbreakable 2,000-octet header token, a long line in an attached message).
        if (HasLongLine(new MemoryStream(fixedBytes, writable: false))) throw RelaySession.Reply(554, "5.6.0 Message has a line longer than 998 octets that cannot be re-encoded");
        return fixedBytes;
    }

    private static IEnumerable<MimeEntity> Entities(MimeMessage message)
    {
        using var iterator = new MimeIterator(message);
        while (iterator.MoveNext()) yield return iterator.Current;
    }

    /// <summary>A header is re-set from its value: MimeKit folds it at whitespace (RFC 5322 2.2.3).</summary>
    private static void FoldLongHeaders(HeaderList headers)
    {
        foreach (var header in headers)
        {
            if (HasLongLine(new MemoryStream(header.RawValue, writable: false), header.Field.Length + 1)) header.Value = header.Value;
        }
    }

    private static bool HasLongLine(Stream stream, int firstLineOffset = 0)
    {
        using (stream)
        {
            var length = firstLineOffset;
            int b;
            var buffer = new byte[8192];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    b = buffer[i];
                    if (b == '\n') length = 0;
                    else if (b != '\r' && ++length > MessageShape.MaxLineLength) return true;
                }
            }
            return false;
        }
    }

    private static FormatOptions CreateFormat()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }
}
