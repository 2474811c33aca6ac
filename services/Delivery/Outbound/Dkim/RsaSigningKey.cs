using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ProMTA.Delivery.Outbound.Dkim;

/// <summary>
/// A DKIM private key, signing with the platform's OpenSSL: the RSA operation is most of the cost of a signed message
/// (several milliseconds in managed code, a fraction of one native).
/// </summary>
internal sealed class RsaSigningKey(byte[] pkcs8)
{
    // Imported keys, reused: importing the PKCS#8 key (decoding, key checks, blinding setup in OpenSSL) costs more CPU
    // than the signature itself. One key per concurrent signer, because an RSA instance is not documented thread-safe.
    private readonly ConcurrentBag<RSA> keys = [];

    public byte[] SignSha256(byte[] hash)
    {
        if (!keys.TryTake(out var rsa))
        {
            rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        }
        try
        {
            return rsa.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        finally
        {
            keys.Add(rsa);
        }
    }
}
