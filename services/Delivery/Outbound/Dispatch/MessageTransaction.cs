using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Feedback;
using ProMTA.Delivery.Outbound.Dkim;
using ProMTA.Delivery.Outbound.Smtp;

namespace ProMTA.Delivery.Outbound.Dispatch;

/// <summary>
/// The SMTP transaction of one message on an open session: the stored bytes with the headers a relay sets
/// (<see cref="OutgoingMessage"/>), signed once over exactly those bytes, sent to its recipients at one destination;
/// answers each recipient's reply.
/// </summary>
internal sealed class MessageTransaction(RawDkimSigner signer, VerpAddresses verp)
{
    /// <summary>
    /// Sends one message to its recipients at this destination. With a <paramref name="returnDomain"/>, each recipient
    /// gets a transaction of its own with its VERP return path and token header (a late bounce or a complaint then names
    /// its recipient); otherwise one transaction carries them all under the customer's MAIL FROM. The stored bytes go
    /// out as they are (<see cref="OutgoingMessage"/>), signed once per message over exactly those bytes.
    /// </summary>
    public async Task<Dictionary<long, (int Code, string Text)>> SendAsync(
        SmtpSession client, ClaimedRecipient first, string? returnDomain, List<ClaimedRecipient> recipients, byte[] data, DkimKeySet? keys,
        CancellationToken ct)
    {
        var answers = new Dictionary<long, (int Code, string Text)>();
        var addresses = new Dictionary<long, string>();
        foreach (var r in recipients)
        {
            if (MailboxAddress.TryParse(r.Address, out var address)) addresses[r.Id] = address.Address;
            else answers[r.Id] = (553, "5.1.3 Invalid recipient address");
        }
        if (addresses.Count == 0) return answers;
        // Gmail's feedback loop counts complaints per Feedback-ID: a service's transactional mail apart from its bulk.
        var kind = first.MailFrom.Length == 0 ? "report" : first.Transactional ? MailStream.Transactional : "mail";
        var message = OutgoingMessage.From(data, $"{kind}:{first.ServiceId:N}:promta");
        if (message.EightBit && !client.Capabilities.EightBitMime)
        {
            try
            {
                // RFC 6152: no 8-bit data to a server that does not offer 8BITMIME. Re-encoded before signing, so the
                // signature covers what is sent (docs/delivery.md, "8-bit mail").
                message = message.SevenBit();
            }
            catch (FormatException ex)
            {
                foreach (var id in addresses.Keys) answers[id] = (451, $"4.6.0 Message could not be converted to 7 bit: {ex.Message}");
                return answers;
            }
        }
        var signature = signer.Sign(message.Block, keys);
        if (returnDomain is null)
        {
            var sender = MailboxAddress.TryParse(first.MailFrom, out var from) ? from.Address : "";
            var replies = await client.SendAsync(sender, [.. addresses.Values], Parts(null, signature, message), message.EightBit, ct);
            foreach (var ((id, _), reply) in addresses.Zip(replies)) answers[id] = reply.AsTuple();
            return answers;
        }
        (int Code, string Text)? lost = null;
        foreach (var (id, address) in addresses)
        {
            if (lost is { } gone)
            {
                answers[id] = gone;
                continue;
            }
            // In front of the signature and outside h=, so the token (different per recipient) costs one signing per message.
            var token = System.Text.Encoding.ASCII.GetBytes($"{VerpAddresses.Header}: {verp.Token(id)}\r\n");
            var reply = (await client.SendAsync(verp.ReturnPath(id, returnDomain), [address], Parts(token, signature, message), message.EightBit, ct))[0];
            answers[id] = reply.AsTuple();
            if (!client.IsConnected) lost = reply.Positive ? (451, "4.4.2 Connection lost") : reply.AsTuple();
        }
        return answers;
    }

    /// <summary>What DATA carries: the recipient's token field, the DKIM-Signature field, the message.</summary>
    private static ReadOnlyMemory<byte>[] Parts(byte[]? token, byte[]? signature, OutgoingMessage message) =>
        [.. new[] { token, signature, message.Bytes }.OfType<byte[]>().Select(p => (ReadOnlyMemory<byte>)p)];
}
