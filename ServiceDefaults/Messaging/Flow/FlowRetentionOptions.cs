namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>How long each service keeps its message history (consumed messages of the operators' flow view, inbox, relayed outbox) and how it prunes it.</summary>
public sealed class FlowRetentionOptions
{
    public const string Section = "Messaging:FlowRetention";

    /// <summary>A consumed message is kept this long after its last attempt, an inbox row after handling, an outbox row after relaying.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the retention job runs (also once at start).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows per DELETE: short statements, so consumers recording attempts meanwhile never wait long on them.</summary>
    public int BatchSize { get; set; } = 5000;
}
