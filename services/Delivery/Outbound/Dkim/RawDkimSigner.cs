using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Outbound.Dkim;

/// <summary>
/// DKIM-signs a message's stored bytes just before they leave (relaxed/relaxed, rsa-sha256, d= the From domain, s= its
/// newest selector) when the From domain is one of the service's sending domains with a key. The signature is computed
/// over the bytes DATA carries (no MIME parse, no re-serialisation, so nothing between signing and the wire can change
/// them). Keys stay encrypted in the database; the decrypted key is kept in memory per service and selector.
/// </summary>
internal sealed class RawDkimSigner(DkimKeyProtector protector, TimeProvider time)
{
    // What receivers expect signed (M3AAWG, Gmail's bulk sender guidelines): the ones a forwarder must not alter. Only
    // those present are listed (DKIM would also sign an absent one as empty, which a later List-* header would break).
    private static readonly string[] SignedHeaders =
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version", "Content-Type",
        "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID",
    ];

    private readonly ConcurrentDictionary<(Guid ServiceId, string Selector), RsaSigningKey> signers = new();

    /// <summary>The DKIM-Signature field (with its CRLF) to put in front of the message, or null when the service has no key for its From domain.</summary>
    public byte[]? Sign(HeaderBlock message, DkimKeySet? keys)
    {
        if (keys?.For(FromDomain(message)) is not { } key) return null;
        var signer = signers.GetOrAdd((key.ServiceId, key.Selector), _ => new RsaSigningKey(protector.Unprotect(key.PrivateKeyEncrypted, key.ServiceId, key.Selector)));
        return Sign(message, key.Domain.TrimEnd('.'), key.Selector, signer, time.GetUtcNow());
    }

    internal static byte[] Sign(HeaderBlock message, string domain, string selector, RsaSigningKey key, DateTimeOffset now)
    {
        var bodyHash = Convert.ToBase64String(RelaxedCanonicalization.BodyHash(message.Body.Span));
        var names = HeadersToSign(message);
        var unsigned = $"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s={selector};\r\n\tt={now.ToUnixTimeSeconds()}; h={string.Join(':', names)};\r\n\tbh={bodyHash};\r\n\tb=";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // RFC 6376 5.4.2: each name in h= takes the last instance not taken yet, from the bottom up; a name with none
        // left (the oversigned From) contributes nothing.
        var used = new HashSet<int>();
        foreach (var name in names)
        {
            for (var i = message.Fields.Count - 1; i >= 0; i--)
            {
                if (!message.Fields[i].Name.Equals(name, StringComparison.OrdinalIgnoreCase) || !used.Add(i)) continue;
                hash.AppendData(RelaxedCanonicalization.Header(message.Fields[i].Raw.Span));
                break;
            }
        }
        hash.AppendData(RelaxedCanonicalization.Header(Encoding.ASCII.GetBytes(unsigned), lineBreak: false));
        var signature = Convert.ToBase64String(key.SignSha256(hash.GetHashAndReset()));
        var field = new StringBuilder(unsigned.Length + signature.Length + 32).Append(unsigned);
        // Folded so no line comes near the 998-octet limit; a verifier removes b='s value with its folding whitespace.
        for (var i = 0; i < signature.Length; i += 72)
        {
            if (i > 0) field.Append("\r\n\t");
            field.Append(signature, i, Math.Min(72, signature.Length - i));
        }
        return Encoding.ASCII.GetBytes(field.Append("\r\n").ToString());
    }

    /// <summary>
    /// The present ones of <see cref="SignedHeaders"/>, and From once more: an extra From in h= signs its absence
    /// (oversigning, RFC 6376 8.15), so nobody can add a second From that some mail readers would show instead.
    /// </summary>
    private static string[] HeadersToSign(HeaderBlock message) => [.. SignedHeaders.Where(message.Contains), "From"];

    private static string? FromDomain(HeaderBlock message) =>
        message.Value("From") is { } from && InternetAddressList.TryParse(from, out var list) ? list.Mailboxes.FirstOrDefault()?.Domain : null;
}
