namespace ProMTA.Dns.Dkim;

/// <summary>The "Dkim" section's rotation settings; the encryption key of the same section is read by ServiceDefaults' DkimKeyProtector.</summary>
public sealed class DkimOptions
{
    /// <summary>How long a rotated-out selector stays published, so mail signed with it before the rotation still verifies.</summary>
    public TimeSpan RetiredKeyLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A key older than this is replaced by a new selector (M3AAWG recommends rotating at least twice a year); the old
    /// one stays published for <see cref="RetiredKeyLifetime"/>. Zero turns scheduled rotation off.
    /// </summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(180);
}
