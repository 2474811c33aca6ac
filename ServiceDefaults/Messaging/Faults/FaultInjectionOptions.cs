namespace ProMTA.ServiceDefaults.Messaging.Faults;

/// <summary>
/// Test-only fault switch (configuration section "Faults"), used by the fault-injection suite to prove that a
/// consumer failing transiently loses nothing. Refused outside the Development environment.
/// </summary>
public sealed class FaultInjectionOptions
{
    public const string Section = "Faults";

    /// <summary>Share (0-100) of messages whose first delivery to a consumer throws before the consumer runs.</summary>
    public int TransientConsumerFailurePercent { get; set; }

    /// <summary>Optional file that gets one line per injected fault, so a test can count them across processes.</summary>
    public string? Journal { get; set; }

    public bool Enabled => TransientConsumerFailurePercent > 0;
}
