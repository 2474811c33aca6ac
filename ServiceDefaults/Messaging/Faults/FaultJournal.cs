namespace ProMTA.ServiceDefaults.Messaging.Faults;

/// <summary>
/// Appends one line per injected fault to <see cref="FaultInjectionOptions.Journal"/>. Several services append to
/// the same file: each line is one small write in append mode, which POSIX keeps whole.
/// </summary>
public sealed class FaultJournal(FaultInjectionOptions options, string serviceName)
{
    private readonly Lock gate = new();

    public void Record(string queue, string messageType, Guid? messageId)
    {
        if (string.IsNullOrEmpty(options.Journal)) return;
        var line = $"{DateTimeOffset.UtcNow:O}\t{serviceName}\t{queue}\t{messageType}\t{messageId}\n";
        lock (gate)
        {
            File.AppendAllText(options.Journal, line);
        }
    }
}
