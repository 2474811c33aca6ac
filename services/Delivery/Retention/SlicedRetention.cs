using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Delivery.Retention;

/// <summary>
/// Deletes what is older than its options' Retention every Interval, Slice rows per statement. Safe on several
/// replicas: each deletes what is old, a row deleted twice is gone.
/// </summary>
public abstract partial class SlicedRetention<TOptions>(
    Database db, IOptions<TOptions> options, TimeProvider time, MigrationState migrations, ILogger log)
    : PeriodicJob(migrations, time, log) where TOptions : RetentionOptions
{
    // Fields, not captured parameters: the base class gets the same clock and logger.
    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    protected override TimeSpan Interval => options.Value.Interval;

    /// <summary>What the log says was removed, e.g. "messages finished".</summary>
    protected abstract string Removed { get; }

    protected abstract Task<long> DeleteBeforeAsync(Database db, DateTimeOffset cutoff, int slice, CancellationToken ct);

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var deleted = await DeleteBeforeAsync(db, clock.GetUtcNow() - options.Value.Retention, options.Value.Slice, ct);
        if (deleted > 0) LogDeleted(logger, deleted, Removed, options.Value.Retention);
    }

    [LoggerMessage(LogLevel.Information, "Removed {Count} {What} more than {Retention} ago")]
    private static partial void LogDeleted(ILogger logger, long count, string what, TimeSpan retention);
}

/// <summary>
/// Finished messages: the stored body and the recipients' rows (before this the queue kept every body forever). Mail
/// still queued or still owing its sender a bounce report is never touched.
/// </summary>
public sealed class MessageRetention(
    Database db, IOptions<MessageRetentionOptions> options, TimeProvider time, MigrationState migrations, ILogger<MessageRetention> log)
    : SlicedRetention<MessageRetentionOptions>(db, options, time, migrations, log)
{
    protected override string Removed => "messages finished";

    protected override Task<long> DeleteBeforeAsync(Database db, DateTimeOffset cutoff, int slice, CancellationToken ct) =>
        Data.MessageQueue.DeleteFinishedBeforeAsync(db, cutoff, slice, ct);
}

/// <summary>
/// What the inbound MX received (bounce and complaint reports, replies, postmaster/abuse mail: the raw message with its
/// parsed fields). What a report changed stays: the suppression, the recipient's status and its events have retention
/// rules of their own; a forwarded reply is a queued message of its own.
/// </summary>
public sealed class InboundRetention(
    Database db, IOptions<InboundRetentionOptions> options, TimeProvider time, MigrationState migrations, ILogger<InboundRetention> log)
    : SlicedRetention<InboundRetentionOptions>(db, options, time, migrations, log)
{
    protected override string Removed => "inbound messages received";

    protected override Task<long> DeleteBeforeAsync(Database db, DateTimeOffset cutoff, int slice, CancellationToken ct) =>
        Data.InboundMessages.DeleteReceivedBeforeAsync(db, cutoff, slice, ct);
}
