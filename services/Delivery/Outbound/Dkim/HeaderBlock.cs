namespace ProMTA.Delivery.Outbound.Dkim;

/// <summary>One header field as stored: its name and its raw bytes (folding kept, no final line break).</summary>
internal readonly record struct HeaderField(string Name, ReadOnlyMemory<byte> Raw);

/// <summary>
/// A stored message split at its first empty line into header fields and the body, without parsing MIME: what DKIM
/// signs and what DATA carries are these bytes. Lines may end in CRLF or a bare LF (both count as a line end).
/// </summary>
internal sealed class HeaderBlock
{
    private HeaderBlock(List<HeaderField> fields, ReadOnlyMemory<byte> body) => (Fields, Body) = (fields, body);

    public List<HeaderField> Fields { get; }

    /// <summary>The bytes after the empty line that ends the header (empty when there is none).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    public static HeaderBlock Parse(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var fields = new List<HeaderField>();
        var position = 0;
        var fieldStart = -1;
        while (position < span.Length)
        {
            var newline = span[position..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? span.Length : position + newline; // index of the LF (or the end)
            var contentEnd = lineEnd > position && span[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            var next = newline < 0 ? span.Length : lineEnd + 1;
            if (contentEnd == position)
            {
                // The empty line: the header ends, the body starts after it.
                if (fieldStart >= 0) fields.Add(Field(message, fieldStart, FieldEnd(span, position)));
                return new HeaderBlock(fields, message[next..]);
            }
            var continuation = span[position] is (byte)' ' or (byte)'\t';
            if (!continuation)
            {
                if (fieldStart >= 0) fields.Add(Field(message, fieldStart, FieldEnd(span, position)));
                fieldStart = position;
            }
            position = next;
        }
        if (fieldStart >= 0) fields.Add(Field(message, fieldStart, FieldEnd(span, span.Length)));
        return new HeaderBlock(fields, ReadOnlyMemory<byte>.Empty);
    }

    public bool Contains(string name) => Fields.Exists(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>A field's value as text (unfolded, trimmed), or null when the message has none.</summary>
    public string? Value(string name)
    {
        if (Fields.FindLast(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is not { Raw.Length: > 0 } field) return null;
        var text = System.Text.Encoding.UTF8.GetString(field.Raw.Span);
        return text[(text.IndexOf(':') + 1)..].Replace("\r", "").Replace("\n", "").Trim();
    }

    /// <summary>Where a field that starts before <paramref name="nextLine"/> ends: before the line break that precedes it.</summary>
    private static int FieldEnd(ReadOnlySpan<byte> span, int nextLine)
    {
        var end = nextLine;
        if (end > 0 && span[end - 1] == '\n') end--;
        if (end > 0 && span[end - 1] == '\r') end--;
        return end;
    }

    private static HeaderField Field(ReadOnlyMemory<byte> message, int start, int end)
    {
        var raw = message[start..end];
        var colon = raw.Span.IndexOf((byte)':');
        var name = colon < 0 ? "" : System.Text.Encoding.ASCII.GetString(raw.Span[..colon]).TrimEnd(' ', '\t');
        return new HeaderField(name, raw);
    }
}
