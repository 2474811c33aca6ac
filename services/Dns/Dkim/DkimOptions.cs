namespace ProMTA.Dns.Dkim;

public sealed class DkimOptions
{
    /// <summary>
    /// The secret the DKIM private keys are encrypted under (at least 32 characters). Delivery needs the same one to
    /// decrypt them; locally the AppHost generates it into .data/secrets/dkim-encryption-key.
    /// </summary>
    public string EncryptionKey { get; set; } = "";

    /// <summary>How long a rotated-out selector stays published, so mail signed with it before the rotation still verifies.</summary>
    public TimeSpan RetiredKeyLifetime { get; set; } = TimeSpan.FromDays(7);
}
