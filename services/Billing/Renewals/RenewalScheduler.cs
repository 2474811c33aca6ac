using Microsoft.Extensions.Options;
using ProMTA.Billing.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Renewals;

public sealed class RenewalOptions
{
    /// <summary>How often the scheduler looks for due renewals; charge dates are days, so minutes are plenty.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Runs the renewal processor for "today" in the business zone, on every replica (they share the work safely).</summary>
public sealed partial class RenewalScheduler(
    RenewalProcessor processor, BillingCalendar calendar, MigrationState migrations, IOptions<RenewalOptions> options, TimeProvider time,
    ILogger<RenewalScheduler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Completed.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await processor.RunAsync(calendar.LocalDate(time.GetUtcNow()), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Error, "Renewal run failed; the next run retries what is still due")]
    private partial void LogRunFailed(Exception ex);
}
