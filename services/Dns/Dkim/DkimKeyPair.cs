using System.Security.Cryptography;

namespace ProMTA.Dns.Dkim;

/// <summary>A fresh 2048-bit RSA key for one domain and service; the public half goes into DNS as SubjectPublicKeyInfo (RFC 6376 3.6.1).</summary>
public sealed record DkimKeyPair(string Selector, string PublicKeyBase64, byte[] PrivateKeyPkcs8)
{
    public static DkimKeyPair Generate(DateTimeOffset now)
    {
        using var rsa = RSA.Create(2048);
        // A dated selector: a rotation publishes a new name beside the old one instead of changing a key in place.
        var selector = $"pm{now:yyyyMMddHHmmss}";
        return new DkimKeyPair(selector, Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), rsa.ExportPkcs8PrivateKey());
    }
}
