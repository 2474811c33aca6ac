namespace ProMTA.Contracts.Dns;

/// <summary>
/// A DKIM key of the service's sending domain is in DNS: Delivery signs with the newest one. The private key is never
/// sent in clear: <see cref="EncryptedPrivateKey"/> is base64 of version 1 | 12-byte nonce | 16-byte tag | AES-256-GCM
/// ciphertext of the PKCS#8 key, under HKDF-SHA256(Dkim:EncryptionKey, info "promta-dkim-private-key"), with the UTF-8
/// of "{ServiceId:N}/{Selector}" as associated data.
/// </summary>
public sealed record DkimKeyPublished
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required string Domain { get; init; }
    public required string Selector { get; init; }
    public required string EncryptedPrivateKey { get; init; }
    public required DateTimeOffset PublishedAt { get; init; }
}
