using Microsoft.Extensions.Options;
using ProMTA.Contracts.Provisioning;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Datacenter;
using ProMTA.Provisioning.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Setup;

/// <summary>
/// Gives a running service the number of dedicated IPs its new plan includes (issue 17), inside the caller's unit of
/// work. More: free addresses are claimed, assigned to its server, and their reverse DNS requested with the existing
/// ones (Dns publishes and watches them; Delivery binds the new ones and warms them up from zero, like a new
/// service's). Fewer: the last ones go into quarantine like a decommissioned server's (the others keep their
/// hostnames, numbered in order). Nothing to do when the server is gone or already has the count.
/// </summary>
public sealed partial class ServerIpChange(
    IDatacenterProvider datacenter, DatacenterRetry retry, IOptions<ProvisioningOptions> options, TimeProvider time, ILogger<ServerIpChange> log)
{
    public async Task RunAsync(UnitOfWork work, Guid orderId, Guid serviceId, int dedicatedIps, CancellationToken ct)
    {
        var server = await ServerRepository.FindLiveWithIpsForUpdateAsync(work, serviceId);
        if (server is null)
        {
            // Billing changes live services only, but services paid before plan changes existed count as live there:
            // one still waiting for its review gets the new count when it is set up.
            await SetupRepository.SetPendingIpsAsync(work, serviceId, dedicatedIps);
            return;
        }
        if (server.Ips.Length == dedicatedIps) return;
        var now = time.GetUtcNow();
        IReadOnlyList<string> added = [];
        IReadOnlyList<string> removed = [];
        if (dedicatedIps > server.Ips.Length)
        {
            added = await IpPool.AllocateMoreAsync(work, serviceId, dedicatedIps - server.Ips.Length, now);
            // Thrown if the datacenter keeps refusing: the message is retried, then parked in the error queue for an
            // operator; the allocation rolls back with it.
            await retry.RunAsync("assign IPs", () => datacenter.AssignIpsAsync(server.Id, added, ct), ct);
        }
        else
        {
            var quarantined = await IpPool.QuarantineAsync(work, serviceId, server.Ips[dedicatedIps..], now + options.Value.IpQuarantine);
            removed = [.. server.Ips[dedicatedIps..].Intersect(quarantined)]; // in the server's order
        }
        string[] ips = [.. server.Ips.Except(removed), .. added];
        await ServerRepository.SetIpsAsync(work, server.Id, ips);
        await work.PublishAsync(new DedicatedIpsChanged { OrderId = orderId, ServiceId = serviceId, Ips = ips, Added = added, Removed = removed, ChangedAt = now });
        await work.PublishAsync(new ReverseDnsRequested
        {
            OrderId = orderId,
            ServiceId = serviceId,
            Entries = [.. ips.Select((ip, i) => new ReverseDnsEntry(ip, Hostnames.ForIp(serviceId, i, options.Value.HostZone)))],
        });
        LogChanged(serviceId, ips.Length, added.Count, removed.Count);
    }

    [LoggerMessage(LogLevel.Information, "Service {ServiceId} now has {Count} dedicated IPs ({Added} added, {Removed} quarantined)")]
    private partial void LogChanged(Guid serviceId, int count, int added, int removed);
}
