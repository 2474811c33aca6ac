namespace ProMTA.Delivery.History;

/// <summary>The "DeliveryHistory" section: how much history one request may ask for and how long minute buckets live.</summary>
public sealed class DeliveryHistoryOptions
{
    /// <summary>The most buckets one GET .../delivery/history answers (1500: a day by the minute, 30 days by the hour).</summary>
    public int MaxBuckets { get; set; } = 1500;
    /// <summary>Minute buckets are for the last hours and are removed after this; hour and day buckets follow DeliveryEvents:Retention.</summary>
    public TimeSpan MinuteRetention { get; set; } = TimeSpan.FromDays(2);
}
