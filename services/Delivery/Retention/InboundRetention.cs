using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Delivery.Retention;

/// <summary>
/// Deletes what the inbound MX received (bounce and complaint reports, replies, postmaster/abuse mail: the raw message
/// with its parsed fields) InboundRetention:Retention after it arrived. What a report changed stays: the suppression,
/// the recipient's status and its events have retention rules of their own; a forwarded reply is a queued message of
/// its own. Before this the inbox kept every report forever. Safe on several replicas, like <see cref="MessageRetention"/>.
/// </summary>
public sealed partial class InboundRetention(
    Database db, IOptions<InboundRetentionOptions> options, TimeProvider time, MigrationState migrations, ILogger<InboundRetention> log)
    : PeriodicJob(migrations, time, log)
{
    // Fields, not captured parameters: the base class gets the same clock and logger.
    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var deleted = await InboundMessages.DeleteReceivedBeforeAsync(db, clock.GetUtcNow() - options.Value.Retention, options.Value.Slice, ct);
        if (deleted > 0) LogDeleted(deleted, options.Value.Retention);
    }

    [LoggerMessage(LogLevel.Information, "Removed {Count} inbound messages received more than {Retention} ago")]
    private partial void LogDeleted(long count, TimeSpan retention);
}
