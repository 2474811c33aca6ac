using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Dns.Publishing;

/// <summary>
/// Runs <see cref="DomainPublication"/> every Dns:PublicationInterval until nothing is queued, beside DnsMonitor and never
/// inside it: the monitor's propagation, delegation and drift steps do not wait for DKIM keys being made. Claims use
/// SKIP LOCKED, so every replica may run it.
/// </summary>
public sealed class DomainPublisher(
    Database db, DomainPublication publication, IOptions<DnsOptions> options, MigrationState migrations, TimeProvider time, ILogger<DomainPublisher> log)
    : PeriodicJob(migrations, time, log)
{
    protected override TimeSpan Interval => options.Value.PublicationInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && await publication.RunDueAsync(db, ct) > 0) { }
    }
}
