using System.Text;
using MimeKit;
using ProMTA.Delivery.Feedback;
using ProMTA.Delivery.Outbound.Dkim;

namespace ProMTA.Delivery.Outbound.Smtp;

/// <summary>
/// The stored message as it leaves: the same bytes, minus the header fields that never leave with it, plus our
/// Feedback-ID; signed over these bytes and written to DATA as they are.
/// </summary>
internal sealed class OutgoingMessage
{
    private OutgoingMessage(byte[] bytes)
    {
        Bytes = bytes;
        Block = HeaderBlock.Parse(bytes);
        EightBit = bytes.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0;
    }

    /// <summary>The message as DATA carries it, before the DKIM-Signature and per-recipient fields put in front.</summary>
    public byte[] Bytes { get; }

    public HeaderBlock Block { get; }

    /// <summary>Has octets above 127 (a UTF-8 body or header): needs BODY=8BITMIME.</summary>
    public bool EightBit { get; }

    /// <summary>
    /// Return-Path is written by the final delivery agent from the envelope (RFC 5321 4.4) and our recipient token per
    /// transaction: one a client put in would only mislead, so neither leaves with the message; nor does our own
    /// X-ProMTA-Stream, which only told us the message's stream. Gmail's feedback loop
    /// aggregates complaints by Feedback-ID (identifiers, then the sender's id): ours is per service and stream; a
    /// customer's own (their campaign identifiers) is kept.
    /// </summary>
    public static OutgoingMessage From(byte[] stored, string feedbackId)
    {
        var block = HeaderBlock.Parse(stored);
        var output = new MemoryStream(stored.Length + 128);
        foreach (var field in block.Fields)
        {
            if (field.Name.Equals("Return-Path", StringComparison.OrdinalIgnoreCase)
                || field.Name.Equals(VerpAddresses.Header, StringComparison.OrdinalIgnoreCase)
                || field.Name.Equals(Domain.MailStream.Header, StringComparison.OrdinalIgnoreCase)) continue;
            output.Write(field.Raw.Span);
            output.Write("\r\n"u8);
        }
        if (!block.Contains("Feedback-ID")) output.Write(Encoding.ASCII.GetBytes($"Feedback-ID: {feedbackId}\r\n"));
        output.Write("\r\n"u8);
        output.Write(block.Body.Span);
        return new OutgoingMessage(output.ToArray());
    }

    /// <summary>
    /// The message re-encoded to 7 bit (quoted-printable or base64 for 8-bit parts), for a server that does not offer
    /// 8BITMIME (RFC 6152 forbids sending it 8-bit data). The only path that parses the message: such servers are rare.
    /// </summary>
    public OutgoingMessage SevenBit()
    {
        using var input = new MemoryStream(Bytes, writable: false);
        var message = MimeMessage.Load(input);
        message.Prepare(EncodingConstraint.SevenBit);
        using var output = new MemoryStream(Bytes.Length * 4 / 3 + 1024);
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, output);
        return new OutgoingMessage(output.ToArray());
    }
}
