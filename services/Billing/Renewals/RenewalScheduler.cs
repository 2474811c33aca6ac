using Microsoft.Extensions.Options;
using ProMTA.Billing.Domain;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Billing.Renewals;

public sealed class RenewalOptions
{
    /// <summary>How often the scheduler looks for due renewals; charge dates are days, so minutes are plenty.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Runs the renewal processor (then the downgrades due) for "today" in the business zone, on every replica (they share the work safely).</summary>
public sealed class RenewalScheduler(
    RenewalProcessor processor, PlanChanges.DowngradeSwitch downgrades, BillingCalendar calendar, MigrationState migrations, IOptions<RenewalOptions> options, TimeProvider time,
    ILogger<RenewalScheduler> log) : PeriodicJob(migrations, time, log)
{
    private readonly TimeProvider clock = time;

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var today = calendar.LocalDate(clock.GetUtcNow());
        await processor.RunAsync(today, ct);
        // Downgrades whose period starts today (their renewal charged the new price 14 days ago).
        await downgrades.RunAsync(today, ct);
    }
}
