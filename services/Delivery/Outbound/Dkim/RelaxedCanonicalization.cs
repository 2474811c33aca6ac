using System.Buffers;
using System.Security.Cryptography;

namespace ProMTA.Delivery.Outbound.Dkim;

/// <summary>DKIM's "relaxed" canonicalization (RFC 6376 3.4.2 for header fields, 3.4.4 for the body) over raw bytes.</summary>
internal static class RelaxedCanonicalization
{
    private static bool IsWsp(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>
    /// One header field: the name lower-cased, the value unfolded, every run of whitespace one space, none at the end
    /// nor around the colon; followed by CRLF unless <paramref name="lineBreak"/> is false (the DKIM-Signature field
    /// itself is hashed without one, RFC 6376 3.7).
    /// </summary>
    public static byte[] Header(ReadOnlySpan<byte> field, bool lineBreak = true)
    {
        var output = new ArrayBufferWriter<byte>(field.Length + 2);
        var colon = field.IndexOf((byte)':');
        var name = colon < 0 ? field : field[..colon];
        var nameEnd = name.Length;
        while (nameEnd > 0 && IsWsp(name[nameEnd - 1])) nameEnd--;
        var lowered = output.GetSpan(nameEnd + 1);
        for (var i = 0; i < nameEnd; i++) lowered[i] = name[i] is >= (byte)'A' and <= (byte)'Z' ? (byte)(name[i] | 0x20) : name[i];
        lowered[nameEnd] = (byte)':';
        output.Advance(nameEnd + 1);
        if (colon >= 0)
        {
            var pendingSpace = false;
            var started = false;
            foreach (var b in field[(colon + 1)..])
            {
                if (b is (byte)'\r' or (byte)'\n') continue; // unfolding: the line break of a fold goes, its whitespace stays
                if (IsWsp(b))
                {
                    pendingSpace = started;
                    continue;
                }
                if (pendingSpace) Append(output, (byte)' ');
                pendingSpace = false;
                started = true;
                Append(output, b);
            }
        }
        if (lineBreak)
        {
            Append(output, (byte)'\r');
            Append(output, (byte)'\n');
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The body hash (SHA-256 of the relaxed body) of these bytes; a line ends at LF, a CR before it is part of the break.</summary>
    public static byte[] BodyHash(ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new ArrayBufferWriter<byte>(256);
        var emptyLines = 0;
        var position = 0;
        while (position < body.Length)
        {
            var newline = body[position..].IndexOf((byte)'\n');
            var end = newline < 0 ? body.Length : position + newline;
            var content = body[position..end];
            if (newline >= 0 && content.Length > 0 && content[^1] == '\r') content = content[..^1];
            line.Clear();
            CanonicalLine(content, line);
            if (line.WrittenCount == 0)
            {
                // Empty lines count only when something follows them: those at the end of the body are ignored.
                emptyLines++;
            }
            else
            {
                for (; emptyLines > 0; emptyLines--) hash.AppendData("\r\n"u8);
                hash.AppendData(line.WrittenSpan);
                // A last line without a line break gets one: a non-empty body ends with CRLF.
                hash.AppendData("\r\n"u8);
            }
            position = newline < 0 ? body.Length : end + 1;
        }
        return hash.GetHashAndReset();
    }

    /// <summary>A body line without its line break: whitespace runs become one space, trailing whitespace goes.</summary>
    private static void CanonicalLine(ReadOnlySpan<byte> content, ArrayBufferWriter<byte> output)
    {
        var pendingSpace = false;
        foreach (var b in content)
        {
            if (IsWsp(b))
            {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace) Append(output, (byte)' ');
            pendingSpace = false;
            Append(output, b);
        }
    }

    private static void Append(ArrayBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
