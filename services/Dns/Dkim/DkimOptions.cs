namespace ProMTA.Dns.Dkim;

/// <summary>The "Dkim" section's rotation settings; the encryption key of the same section is read by ServiceDefaults' DkimKeyProtector.</summary>
public sealed class DkimOptions
{
    /// <summary>How long a rotated-out selector stays published, so mail signed with it before the rotation still verifies.</summary>
    public TimeSpan RetiredKeyLifetime { get; set; } = TimeSpan.FromDays(7);
}
