namespace ProMTA.Delivery.Retention;

/// <summary>How long a kind of row is kept and how the job deleting it works; one configuration section per kind.</summary>
public abstract class RetentionOptions
{
    /// <summary>Kept this long (30 days: as long as the delivery events, so a message's trail and what it left go together).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the job runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows deleted per statement (and transaction): each holds a raw message, so a slice stays a short transaction.</summary>
    public int Slice { get; set; } = 1_000;

    public bool IsValid => Retention > TimeSpan.Zero && Interval > TimeSpan.Zero && Slice > 0;
}

/// <summary>
/// The "MessageRetention" section: a finished message (its body and recipients) is kept this long after its last
/// recipient became final (delivered, bounced or expired) and its bounce report went out.
/// </summary>
public sealed class MessageRetentionOptions : RetentionOptions;

/// <summary>The "InboundRetention" section: what the inbound MX received is kept this long after it arrived.</summary>
public sealed class InboundRetentionOptions : RetentionOptions;
