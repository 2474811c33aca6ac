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

/// <summary>Runs the renewal processor for "today" in the business zone, on every replica (they share the work safely).</summary>
public sealed class RenewalScheduler(
    RenewalProcessor processor, BillingCalendar calendar, MigrationState migrations, IOptions<RenewalOptions> options, TimeProvider time,
    ILogger<RenewalScheduler> log) : PeriodicJob(migrations, time, log)
{
    private readonly TimeProvider clock = time;

    protected override TimeSpan Interval => options.Value.Interval;

    public override Task RunOnceAsync(CancellationToken ct) => processor.RunAsync(calendar.LocalDate(clock.GetUtcNow()), ct);
}
