namespace ProMTA.Delivery.History;

/// <summary>The "DeliveryHistory" section: how much history one request may ask for, how long minute buckets live and how often counts are folded.</summary>
public sealed class DeliveryHistoryOptions
{
    /// <summary>The most buckets one GET .../delivery/history answers (1500: a day by the minute, 30 days by the hour).</summary>
    public int MaxBuckets { get; set; } = 1500;
    /// <summary>Minute buckets are for the last hours and are removed after this; hour and day buckets follow DeliveryEvents:Retention.</summary>
    public TimeSpan MinuteRetention { get; set; } = TimeSpan.FromDays(2);
    /// <summary>How often the counts of completed batches are folded into the history tables (readers add the rest).</summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromSeconds(1);
}
