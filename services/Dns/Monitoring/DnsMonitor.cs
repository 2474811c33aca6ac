using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Dns.Monitoring;

/// <summary>
/// Runs what is due every Dns:MonitorInterval: reverse DNS propagation checks, delegation checks, drift checks. Each keeps
/// its schedule in the database and claims rows with SKIP LOCKED, so any number of replicas may run this. Each step
/// claims batch after batch until nothing is due: one batch per tick checked 3,600 services an hour, and a fleet of
/// 20,000 with a 15-minute drift interval needs 80,000 (tools/ScaleBenchmark dns measures a whole cycle). Publishing a
/// newly delegated domain (its DKIM key is RSA 2048) is DomainPublisher's loop, not a step here.
/// </summary>
public sealed class DnsMonitor(
    Database db, ReverseDnsPropagation propagation, DelegationWatch delegation, DnsDrift drift, IOptions<DnsOptions> options,
    MigrationState migrations, TimeProvider time, ILogger<DnsMonitor> log) : PeriodicJob(migrations, time, log)
{
    protected override TimeSpan Interval => options.Value.MonitorInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && await propagation.RunDueAsync(db, ct) > 0) { }
        while (!ct.IsCancellationRequested && await delegation.RunDueAsync(db, ct) > 0) { }
        while (!ct.IsCancellationRequested && await drift.RunDueAsync(db, ct) > 0) { }
        await propagation.PendingAsync(db, ct);
    }
}
