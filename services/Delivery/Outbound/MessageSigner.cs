using System.Collections.Concurrent;
using MimeKit;
using MimeKit.Cryptography;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Outbound;

/// <summary>
/// DKIM-signs a message just before it leaves (relaxed/relaxed, rsa-sha256, d= the From domain, s= its newest selector),
/// when the From domain is one of the service's sending domains with a key. Keys stay encrypted in
/// the database; the decrypted signer is kept in memory per service and selector.
/// </summary>
internal sealed class MessageSigner(DkimKeyProtector protector)
{
    private static readonly HeaderId[] SignedHeaders =
        [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.MimeVersion, HeaderId.ContentType];

    private readonly ConcurrentDictionary<(Guid ServiceId, string Selector), NativeRsaDkimSigner> signers = new();

    /// <summary>True when the message was signed; false when the service has no key for its From domain.</summary>
    public bool TrySign(MimeMessage message, DkimKeySet? keys)
    {
        if (keys?.For(message.From.Mailboxes.FirstOrDefault()?.Domain) is not { } key) return false;
        var signer = signers.GetOrAdd((key.ServiceId, key.Selector), _ => Create(key));
        // A signed body must not be re-encoded on the way: fix the transfer encodings first (MailKit would otherwise
        // turn 8bit into quoted-printable for a server without 8BITMIME, after the body hash was taken).
        message.Prepare(EncodingConstraint.SevenBit);
        signer.Sign(message, SignedHeaders);
        return true;
    }

    private NativeRsaDkimSigner Create(DkimKey key) =>
        new(protector.Unprotect(key.PrivateKeyEncrypted, key.ServiceId, key.Selector), key.Domain.TrimEnd('.'), key.Selector);
}
