using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Publishing;

/// <summary>
/// Starts hosting a sending domain Ordering has claimed for a service (with the order or through the domains API): a
/// pending zone until the delegation is seen. Ordering's claim rules already refused what nobody may hold; this checks
/// again, so no message can make Dns host a platform zone or a domain another live service hosts. Neither fails the
/// message: the service works without a zone with us, and operators see why in the log.
/// </summary>
public sealed partial class SendingDomainHosting(SendingDomainZone zone, PlatformZones platformZones, TimeProvider time, ILogger<SendingDomainHosting> log)
{
    public async Task StartAsync(UnitOfWork work, Guid serviceId, string sendingDomain, CancellationToken ct)
    {
        var domain = sendingDomain.Trim().TrimEnd('.').ToLowerInvariant();
        if (!SendingDomainRecords.IsValidDomain(domain)) LogInvalid(serviceId, domain);
        else if (platformZones.Overlaps(domain)) LogPlatform(serviceId, domain);
        else if (!await SendingDomains.TryAddAsync(work, serviceId, domain, time.GetUtcNow())) LogTaken(serviceId, domain);
        else await zone.HostPendingAsync(work, serviceId, domain, ct);
    }

    [LoggerMessage(LogLevel.Warning, "Service {ServiceId}: sending domain {Domain} is not a valid domain name; no zone hosted")]
    private partial void LogInvalid(Guid serviceId, string domain);

    [LoggerMessage(LogLevel.Warning, "Service {ServiceId}: sending domain {Domain} overlaps a platform zone; no zone hosted")]
    private partial void LogPlatform(Guid serviceId, string domain);

    [LoggerMessage(LogLevel.Warning, "Service {ServiceId}: sending domain {Domain} is already hosted for another live service; no zone hosted")]
    private partial void LogTaken(Guid serviceId, string domain);
}
