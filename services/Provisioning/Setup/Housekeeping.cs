using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using ProMTA.Provisioning.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Setup;

/// <summary>
/// Periodically returns IPs whose quarantine is over to the pool and counts the setups operators must look at, for the
/// gauges (a gauge callback must not query the database: exporters call it at their own pace). Safe on several
/// replicas: the release is one guarded UPDATE and the counts are read-only.
/// </summary>
public sealed partial class Housekeeping : BackgroundService
{
    public const string MeterName = "ProMTA.Provisioning";

    private readonly Database db;
    private readonly IOptions<ProvisioningOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<Housekeeping> log;
    private volatile IReadOnlyList<AttentionRow> attention = [];

    public Housekeeping(Database db, IOptions<ProvisioningOptions> options, TimeProvider time, IMeterFactory meters, ILogger<Housekeeping> log)
    {
        (this.db, this.options, this.time, this.log) = (db, options, time, log);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("promta.provisioning.setups.overdue", () => Count(overdue: true), "{setup}",
            "Setups past their deadline (or failed) and not done");
        meter.CreateObservableGauge("promta.provisioning.setups.due_soon", () => Count(overdue: false), "{setup}",
            "Setups not done whose deadline is within Provisioning:DueSoonWindow");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HousekeepingInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using (var work = await db.BeginAsync(ct))
        {
            var released = await IpPool.ReleaseQuarantinedAsync(work, now);
            await work.CommitAsync(ct);
            if (released > 0) LogReleased(released);
        }
        attention = await SetupRepository.NeedingAttentionAsync(db, now, options.Value.DueSoonWindow, ct);
    }

    private int Count(bool overdue)
    {
        var now = time.GetUtcNow();
        return attention.Count(a => (a.Status == "Failed" || a.SetupDeadline is null || a.SetupDeadline <= now) == overdue);
    }

    [LoggerMessage(LogLevel.Information, "{Count} quarantined IPs returned to the pool")]
    private partial void LogReleased(int count);

    [LoggerMessage(LogLevel.Warning, "Provisioning housekeeping failed; next try on the next tick")]
    private partial void LogFailed(Exception e);
}
