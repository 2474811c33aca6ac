using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using ProMTA.Provisioning.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Provisioning.Setup;

/// <summary>
/// Periodically returns IPs whose quarantine is over to the pool and counts what operators watch, for the gauges (a
/// gauge callback must not query the database: exporters call it at their own pace): setups overdue or due soon, and
/// the pool's addresses per state. Safe on several replicas: the release is one guarded UPDATE and the counts are read-only.
/// </summary>
public sealed partial class Housekeeping : PeriodicJob
{
    public const string MeterName = "ProMTA.Provisioning";
    private static readonly string[] States = ["free", "allocated", "quarantined", "blocked"];

    /// <summary>Addresses looked up per run: a large batch coming out of quarantine is spread over several runs.</summary>
    public const int ReleaseBatch = 200;

    private readonly Database db;
    private readonly QuarantineCheck check;
    private readonly IOptions<ProvisioningOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<Housekeeping> log;
    private volatile IReadOnlyList<AttentionRow> attention = [];
    private volatile IReadOnlyList<IpBlockSummary> pool = [];

    public Housekeeping(
        Database db, QuarantineCheck check, IOptions<ProvisioningOptions> options, TimeProvider time, IMeterFactory meters, MigrationState migrations,
        ILogger<Housekeeping> log)
        : base(migrations, time, log)
    {
        (this.db, this.check, this.options, this.time, this.log) = (db, check, options, time, log);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("promta.provisioning.setups.overdue", () => Count(overdue: true), "{setup}",
            "Setups past their deadline (or failed) and not done");
        meter.CreateObservableGauge("promta.provisioning.setups.due_soon", () => Count(overdue: false), "{setup}",
            "Setups not done whose deadline is within Provisioning:DueSoonWindow");
        meter.CreateObservableGauge("promta.provisioning.ips", () => States.Select(s => new Measurement<int>(
            pool.Sum(b => s switch { "free" => b.Free, "allocated" => b.Allocated, "quarantined" => b.Quarantined, _ => b.Blocked }),
            new KeyValuePair<string, object?>("state", s))), "{address}", "Addresses of the dedicated-IP pool per state");
    }

    protected override TimeSpan Interval => options.Value.HousekeepingInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await IpPool.DueForReleaseAsync(db, now, ReleaseBatch, ct);
        if (due.Count > 0)
        {
            // Looked up before the transaction: no row is locked while a resolver answers.
            var kept = new Dictionary<string, string>();
            foreach (var address in due)
            {
                if (await check.ReasonToKeepAsync(address, ct) is { } reason) kept[address] = reason;
            }
            await using var work = await db.BeginAsync(ct);
            var released = await IpPool.ReleaseAsync(work, [.. due.Where(a => !kept.ContainsKey(a))], now);
            foreach (var (address, reason) in kept) await IpPool.KeepQuarantinedAsync(work, address, reason, now, now + check.RecheckAfter);
            await work.CommitAsync(ct);
            if (released > 0) LogReleased(released);
            foreach (var (address, reason) in kept) LogKept(address, reason);
        }
        attention = await SetupRepository.NeedingAttentionAsync(db, now, options.Value.DueSoonWindow, ct);
        pool = await IpBlocks.SummaryAsync(db, ct);
    }

    private int Count(bool overdue)
    {
        var now = time.GetUtcNow();
        return attention.Count(a => (a.Status == "Failed" || a.SetupDeadline is null || a.SetupDeadline <= now) == overdue);
    }

    [LoggerMessage(LogLevel.Information, "{Count} quarantined IPs returned to the pool")]
    private partial void LogReleased(int count);

    [LoggerMessage(LogLevel.Warning, "{Address} stays quarantined: {Reason}")]
    private partial void LogKept(string address, string reason);
}
