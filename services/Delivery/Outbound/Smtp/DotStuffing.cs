using System.Buffers;

namespace ProMTA.Delivery.Outbound.Smtp;

/// <summary>
/// Writes a message as SMTP DATA content (RFC 5321 4.5.2): every line ends in CRLF (a bare LF becomes CRLF), a line
/// that starts with "." gets another one in front, and the content ends with CRLF "." CRLF. Streamed in chunks, never
/// parsed; a message that does not end with a line break gets one (DKIM's relaxed body hash assumes it too).
/// </summary>
internal static class DotStuffing
{
    private const int BufferSize = 16 * 1024;
    private static readonly byte[] Dot = "."u8.ToArray();
    private static readonly byte[] Lf = "\n"u8.ToArray();
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private static readonly byte[] End = ".\r\n"u8.ToArray();
    private static readonly byte[] CrLfEnd = "\r\n.\r\n"u8.ToArray();

    public static async Task WriteAsync(Stream stream, IReadOnlyList<ReadOnlyMemory<byte>> parts, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var used = 0;
            var atLineStart = true;
            var lastWasCr = false;
            foreach (var part in parts)
            {
                var position = 0;
                while (position < part.Length)
                {
                    if (atLineStart && part.Span[position] == '.') used = await PutAsync(stream, buffer, used, Dot, ct);
                    var newline = part.Span[position..].IndexOf((byte)'\n');
                    var end = newline < 0 ? part.Length : position + newline;
                    var chunk = part[position..end];
                    used = await PutAsync(stream, buffer, used, chunk, ct);
                    if (chunk.Length > 0) lastWasCr = chunk.Span[^1] == '\r';
                    if (newline < 0)
                    {
                        atLineStart = false;
                        break;
                    }
                    used = await PutAsync(stream, buffer, used, lastWasCr ? Lf : CrLf, ct);
                    atLineStart = true;
                    lastWasCr = false;
                    position = end + 1;
                }
            }
            used = await PutAsync(stream, buffer, used, atLineStart ? End : CrLfEnd, ct);
            await stream.WriteAsync(buffer.AsMemory(0, used), ct);
            await stream.FlushAsync(ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies into the buffer, writing it out whenever it is full; returns how much of it is in use.</summary>
    private static async ValueTask<int> PutAsync(Stream stream, byte[] buffer, int used, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (data.Length > 0)
        {
            var n = Math.Min(data.Length, buffer.Length - used);
            data[..n].CopyTo(buffer.AsMemory(used));
            used += n;
            data = data[n..];
            if (used == buffer.Length)
            {
                await stream.WriteAsync(buffer, ct);
                used = 0;
            }
        }
        return used;
    }
}
