using Microsoft.Extensions.Options;
using ProMTA.Contracts.Provisioning;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Datacenter;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Setup;

/// <summary>
/// Takes a service's server down (rule 12 and ended cancellations): the datacenter releases the server, its IPs go into
/// quarantine, and Dns removes their PTR records on ServerDecommissioned. A second call finds nothing live and does nothing.
/// </summary>
public sealed partial class ServerDecommission(
    IDatacenterProvider datacenter, DatacenterRetry retry, IOptions<ProvisioningOptions> options, TimeProvider time, ILogger<ServerDecommission> log)
{
    public async Task RunAsync(UnitOfWork work, Guid orderId, Guid serviceId, CancellationToken ct)
    {
        var serverId = await ServerRepository.FindLiveForUpdateAsync(work, serviceId);
        if (serverId is null) return; // never set up, or already decommissioned
        await retry.RunAsync("power off", () => datacenter.PowerAsync(serverId, on: false, ct), ct);
        await retry.RunAsync("decommission", () => datacenter.DecommissionAsync(serverId, ct), ct);
        var now = time.GetUtcNow();
        var ips = await IpPool.QuarantineAsync(work, serviceId, now + options.Value.IpQuarantine);
        await ServerRepository.MarkDecommissionedAsync(work, serverId, now);
        await work.PublishAsync(new ServerDecommissioned { OrderId = orderId, ServiceId = serviceId, Ips = ips, DecommissionedAt = now });
        LogDecommissioned(serverId, serviceId, ips.Count);
    }

    [LoggerMessage(LogLevel.Information, "Decommissioned {ServerId} of {ServiceId}; {Count} IPs quarantined")]
    private partial void LogDecommissioned(string serverId, Guid serviceId, int count);
}
