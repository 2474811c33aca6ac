using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Delivery.History;

/// <summary>
/// Folds the counts completing batches appended (<see cref="HistoryDeltas"/>) into the delivery and source IP
/// histories every DeliveryHistory:CompactionInterval, slice after slice until none is left. Safe on several replicas
/// (each folds different deltas). Readers add what is not folded yet, so the interval costs no accuracy, only the size
/// of what they add.
/// </summary>
public sealed class HistoryCompaction(
    Database db, IOptions<DeliveryHistoryOptions> options, TimeProvider time, MigrationState migrations, ILogger<HistoryCompaction> log)
    : PeriodicJob(migrations, time, log)
{
    private const int Slice = 5_000;

    protected override TimeSpan Interval => options.Value.CompactionInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        while (await HistoryDeltas.FoldAsync(db, Slice, ct) == Slice) { }
    }
}
