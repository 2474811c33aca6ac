using System.Buffers;
using MimeKit;

namespace ProMTA.Delivery.Domain;

/// <summary>The header fields of a submitted message, parsed once for what the relay reads from them (Message-ID, stream).</summary>
public static class SubmittedHeaders
{
    /// <summary>Reads only the header block (<paramref name="headerBytes"/> long, without the blank line, when known; 0: up to the blank line); null when it does not parse.</summary>
    public static HeaderList? Load(ReadOnlySequence<byte> message, int headerBytes)
    {
        var head = headerBytes > 0 && headerBytes + 2 < message.Length ? message.Slice(0, headerBytes + 2) : message;
        try
        {
            using var stream = new MemoryStream(head.ToArray(), writable: false);
            return HeaderList.Load(stream);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
