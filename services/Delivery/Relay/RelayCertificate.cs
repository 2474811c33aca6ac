using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ProMTA.Delivery.Relay;

public static class RelayCertificate
{
    public static X509Certificate2 Load(RelayOptions options) =>
        string.IsNullOrEmpty(options.CertificatePath)
            ? SelfSigned(options.Hostname)
            : X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword);

    /// <summary>Enough for STARTTLS to encrypt submissions where no real certificate is configured (local runs, tests).</summary>
    private static X509Certificate2 SelfSigned(string hostname)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={hostname}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostname);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        // Round-trip through PKCS#12 so SslStream gets a certificate whose private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
