using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ProMTA.ServiceDefaults.Security;

/// <summary>The secret DKIM private keys are encrypted under (section "Dkim"); Dns encrypts with it, Delivery decrypts.</summary>
public sealed class DkimKeyProtectionOptions
{
    /// <summary>At least 32 characters; locally the AppHost generates it into .data/secrets/dkim-encryption-key.</summary>
    public string EncryptionKey { get; set; } = "";
}

/// <summary>
/// Encrypts DKIM private keys with AES-256-GCM under a key derived (HKDF-SHA256) from Dkim:EncryptionKey. The service
/// id and selector are the associated data, so a ciphertext copied onto another service's row does not decrypt.
/// Format (base64): version 1 | 12-byte nonce | 16-byte tag | ciphertext of the PKCS#8 key (see DkimKeyPublished).
/// </summary>
public sealed class DkimKeyProtector(IOptions<DkimKeyProtectionOptions> options)
{
    private const byte Version = 1;
    private readonly byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.EncryptionKey), 32,
        info: "promta-dkim-private-key"u8.ToArray());

    public string Protect(byte[] pkcs8, Guid serviceId, string selector)
    {
        var sealedKey = new byte[1 + AesGcm.NonceByteSizes.MaxSize + AesGcm.TagByteSizes.MaxSize + pkcs8.Length];
        sealedKey[0] = Version;
        var nonce = sealedKey.AsSpan(1, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, pkcs8, sealedKey.AsSpan(29), sealedKey.AsSpan(13, 16), AssociatedData(serviceId, selector));
        return Convert.ToBase64String(sealedKey);
    }

    public byte[] Unprotect(string protectedKey, Guid serviceId, string selector)
    {
        var sealedKey = Convert.FromBase64String(protectedKey);
        if (sealedKey.Length < 29 || sealedKey[0] != Version) throw new CryptographicException("unknown DKIM key format");
        var plain = new byte[sealedKey.Length - 29];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedKey.AsSpan(1, 12), sealedKey.AsSpan(29), sealedKey.AsSpan(13, 16), plain, AssociatedData(serviceId, selector));
        return plain;
    }

    private static byte[] AssociatedData(Guid serviceId, string selector) => Encoding.UTF8.GetBytes($"{serviceId:N}/{selector}");
}

public static class DkimKeyProtectionExtensions
{
    /// <summary>Registers <see cref="DkimKeyProtector"/> with Dkim:EncryptionKey, validated at start.</summary>
    public static IHostApplicationBuilder AddDkimKeyProtector(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DkimKeyProtectionOptions>().BindConfiguration("Dkim")
            .Validate(o => o.EncryptionKey.Length >= 32, "Dkim:EncryptionKey must be a secret of at least 32 characters")
            .ValidateOnStart();
        builder.Services.AddSingleton<DkimKeyProtector>();
        return builder;
    }
}
