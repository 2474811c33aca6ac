using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ProMTA.Ordering.Accounts;

/// <summary>
/// The secret in a mailed link: an HMAC of the link's row id under a key derived from Auth:TokenSigningKey. The
/// database keeps only its SHA-256, so a copy of the database opens no account, and the mailer (which may send a
/// link minutes later, after a retry) derives it again instead of reading it from a queued body.
/// </summary>
public sealed class AccountLinkTokens(string signingKey)
{
    private readonly byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(signingKey), 32, info: "promta account links"u8.ToArray());

    public string TokenFor(Guid linkId) => Base64Url.EncodeToString(HMACSHA256.HashData(key, linkId.ToByteArray()));

    public byte[] HashFor(Guid linkId) => Hash(TokenFor(linkId));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
