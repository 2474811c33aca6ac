namespace ProMTA.Delivery.Dsn;

/// <summary>The "Dsn" section: how often failed recipients are reported to their senders.</summary>
public sealed class DsnOptions
{
    /// <summary>How often the DSN job looks for bounced or expired recipients; their failures of one pass share one report.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Messages reported per transaction.</summary>
    public int BatchSize { get; set; } = 100;
}
