using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>
/// Deletes consumed-message records older than <see cref="FlowRetentionOptions.Period"/>: the table gets a row per
/// (message, consumer) and would otherwise grow for ever. Batches until nothing old is left; several replicas share
/// the work (the batches skip rows another replica is deleting).
/// </summary>
internal sealed partial class ConsumedMessagesRetention : PeriodicJob
{
    private readonly ConsumedMessages records;
    private readonly IOptions<FlowRetentionOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<ConsumedMessagesRetention> log;

    public ConsumedMessagesRetention(
        ConsumedMessages records, IOptions<FlowRetentionOptions> options, TimeProvider time, MigrationState migrations,
        ILogger<ConsumedMessagesRetention> log) : base(migrations, time, log)
    {
        (this.records, this.options, this.time, this.log) = (records, options, time, log);
    }

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.Value.Period;
        var batch = options.Value.BatchSize;
        var deleted = 0;
        int last;
        do
        {
            last = await records.DeleteOlderThanAsync(cutoff, batch, ct);
            deleted += last;
        }
        while (last == batch);
        if (deleted > 0) LogDeleted(deleted, cutoff);
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Count} consumed-message records last attempted before {Cutoff}")]
    private partial void LogDeleted(int count, DateTimeOffset cutoff);
}
