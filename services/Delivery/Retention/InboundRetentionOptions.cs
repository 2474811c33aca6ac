namespace ProMTA.Delivery.Retention;

/// <summary>The "InboundRetention" section: how long what the inbound MX received is kept.</summary>
public sealed class InboundRetentionOptions
{
    /// <summary>Kept this long after it arrived; as long as finished messages and their events by default.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the job runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows deleted per statement (and transaction): each holds a raw message.</summary>
    public int Slice { get; set; } = 1_000;
}
