namespace ProMTA.Delivery.Retention;

/// <summary>The "MessageRetention" section: how long a finished message (its body and recipients) is kept.</summary>
public sealed class MessageRetentionOptions
{
    /// <summary>
    /// Kept this long after its last recipient became final (delivered, bounced or expired) and its bounce report went
    /// out; as long as the delivery events by default, so a message's trail and its body leave together.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the job runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Messages deleted per statement (and transaction): bodies are large, a slice stays a short transaction.</summary>
    public int Slice { get; set; } = 1_000;
}
