using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Feedback;

namespace ProMTA.Delivery.Outbound.Dispatch;

/// <summary>
/// The SMTP transaction of one message on an open session: prepare its headers, sign it, send it to its recipients at
/// one destination and return each recipient's reply. One method, so the way a message is written to the wire can be
/// replaced in one place.
/// </summary>
internal sealed class MessageTransaction(MessageSigner signer, VerpAddresses verp)
{
    /// <summary>
    /// Sends one message to its recipients at this destination. With a <paramref name="returnDomain"/>, each recipient
    /// gets a transaction of its own with its VERP return path and token header (a late bounce or a complaint then names
    /// its recipient); otherwise one transaction carries them all under the customer's MAIL FROM.
    /// </summary>
    public async Task<Dictionary<long, (int Code, string Text)>> SendAsync(
        TrackingSmtpClient client, ClaimedRecipient first, string? returnDomain, List<ClaimedRecipient> recipients, byte[] data, DkimKeySet? keys,
        CancellationToken ct)
    {
        var answers = new Dictionary<long, (int Code, string Text)>();
        var addresses = new Dictionary<long, MailboxAddress>();
        foreach (var r in recipients)
        {
            if (MailboxAddress.TryParse(r.Address, out var address)) addresses[r.Id] = address;
            else answers[r.Id] = (553, "5.1.3 Invalid recipient address");
        }
        if (addresses.Count == 0) return answers;
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(data, writable: false);
            message = await MimeMessage.LoadAsync(stream, ct);
        }
        catch (FormatException ex)
        {
            foreach (var id in addresses.Keys) answers[id] = (451, $"4.4.2 Connection lost: {ex.Message}");
            return answers;
        }
        // Return-Path is written by the final delivery agent from the envelope (RFC 5321 4.4): one a client put in
        // would only mislead the receiver, so it never leaves with the message.
        message.Headers.RemoveAll(HeaderId.ReturnPath);
        message.Headers.RemoveAll(VerpAddresses.Header);
        // Gmail's feedback loop aggregates complaints by this header (identifiers, then the sender's id): per service
        // and stream. A customer's own Feedback-ID (their campaign identifiers) is kept.
        if (!message.Headers.Contains("Feedback-ID"))
            message.Headers.Add("Feedback-ID", $"{(first.MailFrom.Length == 0 ? "report" : "mail")}:{first.ServiceId:N}:promta");
        signer.TrySign(message, keys);
        if (returnDomain is null)
        {
            var sender = MailboxAddress.TryParse(first.MailFrom, out var from) ? from : new MailboxAddress("", "");
            var outcome = await TransactionAsync(client, message, sender, [.. addresses.Values], ct);
            foreach (var (id, address) in addresses) answers[id] = client.Refused.TryGetValue(address.Address, out var refused) ? refused : outcome;
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
            // After the signature, so the token (different per recipient) is outside what DKIM signs: one signing per message.
            message.Headers[VerpAddresses.Header] = verp.Token(id);
            var outcome = await TransactionAsync(client, message, new MailboxAddress("", verp.ReturnPath(id, returnDomain)), [address], ct);
            answers[id] = client.Refused.TryGetValue(address.Address, out var refused) ? refused : outcome;
            if (!client.IsConnected) lost = outcome.Code / 100 == 2 ? (451, "4.4.2 Connection lost") : outcome;
        }
        return answers;
    }

    /// <summary>One MAIL/RCPT/DATA transaction: 250 with the server's text, or its refusal, or 451 when the connection broke.</summary>
    private static async Task<(int Code, string Text)> TransactionAsync(
        TrackingSmtpClient client, MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken ct)
    {
        client.BeginMessage();
        try
        {
            return (250, await client.SendAsync(message, sender, recipients, ct));
        }
        catch (SmtpCommandException ex)
        {
            return ((int)ex.StatusCode, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or ServiceNotConnectedException or FormatException)
        {
            return (451, $"4.4.2 Connection lost: {ex.Message}");
        }
    }
}
