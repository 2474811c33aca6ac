using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Dns.Monitoring;

/// <summary>
/// Runs what is due every Dns:MonitorInterval: reverse DNS propagation checks, delegation checks, drift checks. Each keeps
/// its schedule in the database and claims rows with SKIP LOCKED, so any number of replicas may run this.
/// </summary>
public sealed class DnsMonitor(
    Database db, ReverseDnsPropagation propagation, DelegationWatch delegation, DnsDrift drift, IOptions<DnsOptions> options,
    MigrationState migrations, TimeProvider time, ILogger<DnsMonitor> log) : PeriodicJob(migrations, time, log)
{
    protected override TimeSpan Interval => options.Value.MonitorInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        await propagation.RunDueAsync(db, ct);
        await delegation.RunDueAsync(db, ct);
        await drift.RunDueAsync(db, ct);
        await propagation.PendingAsync(db, ct);
    }
}
