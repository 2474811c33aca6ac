using System.Diagnostics.Metrics;

namespace ProMTA.Dns.Monitoring;

/// <summary>
/// The Dns service's instruments (Meter "ProMTA.Dns"). Gauges read counts the monitor refreshed on its last run: an
/// exporter calls them at its own pace and must not query the database.
/// </summary>
public sealed class DnsMetrics
{
    public const string MeterName = "ProMTA.Dns";

    private readonly Counter<long> delayed;
    private readonly Counter<long> drifted;
    private readonly Counter<long> verified;
    private readonly Counter<long> lost;
    private volatile int pending;
    private volatile int overdue;

    public DnsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        delayed = meter.CreateCounter<long>("promta.dns.reverse_dns.delayed", "{service}", "Services whose reverse DNS missed the propagation window");
        drifted = meter.CreateCounter<long>("promta.dns.drift.records", "{rrset}", "Published rrsets found changed in DNS (tag repaired: true/false)");
        verified = meter.CreateCounter<long>("promta.dns.domains.verified", "{domain}", "Sending domains seen delegated to our nameservers");
        lost = meter.CreateCounter<long>("promta.dns.domains.delegation_lost", "{domain}", "Verified sending domains later seen delegated elsewhere");
        meter.CreateObservableGauge("promta.dns.reverse_dns.pending", () => pending, "{service}", "Services whose reverse DNS is not seen everywhere yet");
        meter.CreateObservableGauge("promta.dns.reverse_dns.overdue", () => overdue, "{service}", "Of those, past the propagation window");
    }

    public void Delayed() => delayed.Add(1);

    public void Drifted(int records, bool repaired) => drifted.Add(records, new KeyValuePair<string, object?>("repaired", repaired));

    public void Verified() => verified.Add(1);

    public void DelegationLost() => lost.Add(1);

    public void SetPropagation(int pendingServices, int overdueServices) => (pending, overdue) = (pendingServices, overdueServices);
}
