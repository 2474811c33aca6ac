using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Delivery.Retention;

/// <summary>
/// Deletes finished messages MessageRetention:Retention after their last recipient became final: the stored body and
/// the recipients' rows. Before this the queue kept every body forever. Mail still queued or still owing its sender a
/// bounce report is never touched. Safe on several replicas: each deletes what is old, a row deleted twice is gone.
/// </summary>
public sealed partial class MessageRetention(
    Database db, IOptions<MessageRetentionOptions> options, TimeProvider time, MigrationState migrations, ILogger<MessageRetention> log)
    : PeriodicJob(migrations, time, log)
{
    // Fields, not captured parameters: the base class gets the same clock and logger.
    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var deleted = await MessageQueue.DeleteFinishedBeforeAsync(db, clock.GetUtcNow() - options.Value.Retention, options.Value.Slice, ct);
        if (deleted > 0) LogDeleted(deleted, options.Value.Retention);
    }

    [LoggerMessage(LogLevel.Information, "Removed {Count} messages finished more than {Retention} ago")]
    private partial void LogDeleted(long count, TimeSpan retention);
}
