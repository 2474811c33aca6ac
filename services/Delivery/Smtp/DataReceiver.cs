using System.Buffers;

namespace ProMTA.Delivery.Smtp;

/// <summary>
/// Reads DATA up to the lone "." line (RFC 5321 4.1.1.4): removes dot-stuffing, turns bare CR and bare LF into CRLF (so
/// what is stored is valid RFC 5322 text), and records the message's shape as it goes. Past the size limit it keeps
/// reading to the end without storing, so the client gets its 552 in step instead of a broken connection.
/// </summary>
internal sealed class DataReceiver(long maxSize)
{
    /// <summary>A line longer than this is handled in pieces, so an endless line cannot make the buffer grow without bound.</summary>
    private const int ChunkSize = 64 * 1024;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private readonly ArrayBufferWriter<byte> output = new(16 * 1024);
    private bool atLineStart = true;
    private bool inHeaders = true;
    private int lineLength;
    private long size;
    private bool tooLarge, normalised, hasDate, hasMessageId;
    private int headerBytes, headerCount, receivedCount, longestHeader, longestBody;

    public ReadOnlySequence<byte> Content => new(output.WrittenMemory);

    public MessageShape Shape => new()
    {
        Size = size, TooLarge = tooLarge, HeaderBytes = headerBytes, HeaderCount = headerCount, ReceivedCount = receivedCount,
        HasDate = hasDate, HasMessageId = hasMessageId, LongestHeaderLine = longestHeader, LongestBodyLine = longestBody,
        LineEndingsNormalised = normalised,
    };

    /// <summary>False when the connection ended before the final ".".</summary>
    public async Task<bool> ReceiveAsync(SmtpConnection connection)
    {
        while (true)
        {
            var result = await connection.ReadAsync();
            var buffer = result.Buffer;
            if (Consume(ref buffer))
            {
                connection.AdvanceAfterData(buffer);
                return true;
            }
            connection.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return false;
        }
    }

    private bool Consume(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            ReadOnlySequence<byte> line;
            bool complete;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                line = buffer.Slice(0, end);
                buffer = buffer.Slice(buffer.GetPosition(1, end));
                complete = true;
            }
            else if (buffer.Length >= ChunkSize)
            {
                // Keep a trailing CR for the next read: it may be the first half of a CRLF.
                var take = buffer.Length - (EndsWithCr(buffer) ? 1 : 0);
                line = buffer.Slice(0, take);
                buffer = buffer.Slice(take);
                complete = false;
            }
            else return false;
            if (Line(line, complete)) return true;
        }
    }

    /// <summary>True at the end-of-data line.</summary>
    private bool Line(ReadOnlySequence<byte> sequence, bool complete)
    {
        byte[]? rented = null;
        ReadOnlySpan<byte> span;
        if (sequence.IsSingleSegment) span = sequence.FirstSpan;
        else
        {
            var copy = (rented = ArrayPool<byte>.Shared.Rent((int)sequence.Length)).AsSpan(0, (int)sequence.Length);
            sequence.CopyTo(copy);
            span = copy;
        }
        try
        {
            if (complete)
            {
                if (span.Length > 0 && span[^1] == '\r') span = span[..^1];
                else normalised = true; // a bare LF ends the line
            }
            if (atLineStart && span.Length > 0 && span[0] == '.')
            {
                if (complete && span.Length == 1) return true;
                span = span[1..];
            }
            // A bare CR inside the line is a line end too.
            int cr;
            while ((cr = span.IndexOf((byte)'\r')) >= 0)
            {
                normalised = true;
                Emit(span[..cr], true);
                span = span[(cr + 1)..];
            }
            Emit(span, complete);
            return false;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Emit(ReadOnlySpan<byte> piece, bool endsLine)
    {
        if (atLineStart && inHeaders) HeaderStart(piece, endsLine);
        lineLength += piece.Length;
        Append(piece);
        atLineStart = endsLine;
        if (!endsLine) return;
        Append(Crlf);
        if (inHeaders)
        {
            headerBytes += lineLength + 2;
            longestHeader = Math.Max(longestHeader, lineLength);
        }
        else longestBody = Math.Max(longestBody, lineLength);
        lineLength = 0;
    }

    private void HeaderStart(ReadOnlySpan<byte> line, bool endsLine)
    {
        if (line.Length == 0 && endsLine)
        {
            inHeaders = false; // the blank line: the body follows
            return;
        }
        if (line.Length == 0 || line[0] is (byte)' ' or (byte)'\t') return; // a folded continuation
        headerCount++;
        if (StartsWith(line, "received:"u8)) receivedCount++;
        else if (StartsWith(line, "date:"u8)) hasDate = true;
        else if (StartsWith(line, "message-id:"u8)) hasMessageId = true;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        size += bytes.Length;
        if (size > maxSize) tooLarge = true;
        if (!tooLarge) output.Write(bytes);
    }

    private static bool StartsWith(ReadOnlySpan<byte> line, ReadOnlySpan<byte> lowerName) =>
        line.Length >= lowerName.Length && System.Text.Ascii.EqualsIgnoreCase(line[..lowerName.Length], lowerName);

    private static bool EndsWithCr(ReadOnlySequence<byte> buffer) => buffer.Slice(buffer.Length - 1).FirstSpan[0] == '\r';
}
