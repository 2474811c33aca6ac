using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Delivery.Events;

/// <summary>
/// Removes delivery events older than DeliveryEvents:Retention. Safe on several replicas: each deletes what is old,
/// a row deleted twice is simply gone.
/// </summary>
public sealed partial class DeliveryEventRetention(
    Database db, IOptions<DeliveryEventOptions> options, TimeProvider time, MigrationState migrations, ILogger<DeliveryEventRetention> log)
    : PeriodicJob(migrations, time, log)
{
    private const int Slice = 10_000;

    // Fields, not captured parameters: the base class gets the same clock and logger.
    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    protected override TimeSpan Interval => options.Value.RetentionInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var deleted = await DeliveryEvents.DeleteOlderThanAsync(db, clock.GetUtcNow() - options.Value.Retention, Slice, ct);
        if (deleted > 0) LogDeleted(deleted, options.Value.Retention);
        // The webhooks' dashboard of calls shows what the event log still holds.
        await WebhookEndpoints.DeleteDeliveriesOlderThanAsync(db, clock.GetUtcNow() - options.Value.Retention, Slice, ct);
    }

    [LoggerMessage(LogLevel.Information, "Removed {Count} delivery events older than {Retention}")]
    private partial void LogDeleted(long count, TimeSpan retention);
}
