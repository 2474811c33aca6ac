using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Events;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Delivery.History;

/// <summary>
/// Removes history buckets past their keep: minute buckets after DeliveryHistory:MinuteRetention, hour and day buckets
/// with the events (DeliveryEvents:Retention), and so are the per source IP days of the reputation panel. Safe on several replicas, like the event retention.
/// </summary>
public sealed partial class DeliveryHistoryRetention(
    Database db, IOptions<DeliveryHistoryOptions> history, IOptions<DeliveryEventOptions> events, TimeProvider time, MigrationState migrations,
    ILogger<DeliveryHistoryRetention> log)
    : PeriodicJob(migrations, time, log)
{
    private const int Slice = 10_000;

    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    protected override TimeSpan Interval => events.Value.RetentionInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var deleted = await DeliveryHistory.DeleteOlderThanAsync(db, HistoryRange.Minute, now - history.Value.MinuteRetention, Slice, ct);
        deleted += await DeliveryHistory.DeleteOlderThanAsync(db, HistoryRange.Hour, now - events.Value.Retention, Slice, ct);
        deleted += await DeliveryHistory.DeleteOlderThanAsync(db, HistoryRange.Day, now - events.Value.Retention, Slice, ct);
        deleted += await ReputationTrends.DeleteOlderThanAsync(db, now - events.Value.Retention, Slice, ct);
        if (deleted > 0) LogDeleted(deleted);
    }

    [LoggerMessage(LogLevel.Information, "Removed {Count} delivery history buckets past their retention")]
    private partial void LogDeleted(long count);
}
