namespace ProMTA.Delivery.Events;

/// <summary>The "DeliveryEvents" section: how long the per-recipient event log is kept and what "recent" means.</summary>
public sealed class DeliveryEventOptions
{
    /// <summary>Events older than this are removed by <see cref="DeliveryEventRetention"/>.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
    /// <summary>How often the retention job runs.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>The window of the "recent" counts in GET /api/services/{id}/delivery.</summary>
    public TimeSpan RecentWindow { get; set; } = TimeSpan.FromHours(24);
}
