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
    // What receivers expect signed (M3AAWG, Gmail's bulk sender guidelines): the ones a forwarder must not alter. Only
    // those present are listed (DKIM would also sign an absent one as empty, which a later List-* header would break).
    private static readonly string[] SignedHeaders =
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version", "Content-Type",
        "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID",
    ];

    private readonly ConcurrentDictionary<(Guid ServiceId, string Selector), NativeRsaDkimSigner> signers = new();

    /// <summary>True when the message was signed; false when the service has no key for its From domain.</summary>
    public bool TrySign(MimeMessage message, DkimKeySet? keys)
    {
        if (keys?.For(message.From.Mailboxes.FirstOrDefault()?.Domain) is not { } key) return false;
        var signer = signers.GetOrAdd((key.ServiceId, key.Selector), _ => Create(key));
        // A signed body must not be re-encoded on the way: fix the transfer encodings first (MailKit would otherwise
        // turn 8bit into quoted-printable for a server without 8BITMIME, after the body hash was taken).
        message.Prepare(EncodingConstraint.SevenBit);
        signer.Sign(message, HeadersToSign(message));
        return true;
    }

    /// <summary>
    /// The present ones of <see cref="SignedHeaders"/>, and From once more: an extra From in h= signs its absence
    /// (oversigning, RFC 6376 8.15), so nobody can add a second From that some mail readers would show instead.
    /// </summary>
    private static string[] HeadersToSign(MimeMessage message) =>
        // MimeKit keeps the Content-* headers with the body entity, not in the message's own list.
        [.. SignedHeaders.Where(h => message.Headers.Contains(h) || message.Body?.Headers.Contains(h) == true), "From"];

    private NativeRsaDkimSigner Create(DkimKey key) =>
        new(protector.Unprotect(key.PrivateKeyEncrypted, key.ServiceId, key.Selector), key.Domain.TrimEnd('.'), key.Selector);
}
