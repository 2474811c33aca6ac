namespace ProMTA.Ordering.Domain;

public sealed class ApiKeyOptions
{
    public const string Section = "ApiKeys";

    /// <summary>How long a staff member's API key works; customers' keys last until revoked.</summary>
    public TimeSpan StaffLifetime { get; set; } = TimeSpan.FromDays(30);
}
