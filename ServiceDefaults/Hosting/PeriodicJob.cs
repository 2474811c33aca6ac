using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.ServiceDefaults.Hosting;

/// <summary>
/// A background job that runs <see cref="RunOnceAsync"/> at once (after the service's migrations) and then every
/// <see cref="Interval"/> on the injected clock. A failed run is logged and the next tick tries again: a job whose work
/// is kept in the database loses nothing by skipping one run. Jobs must be safe on several replicas (claim rows with
/// FOR UPDATE SKIP LOCKED or guarded UPDATEs).
/// </summary>
public abstract partial class PeriodicJob(MigrationState migrations, TimeProvider time, ILogger log) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    public abstract Task RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Completed.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, GetType().Name, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Warning, "{Job} failed; the next run tries again")]
    private static partial void LogFailed(ILogger log, string job, Exception e);
}
