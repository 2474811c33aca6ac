using Microsoft.Extensions.Options;
using ProMTA.Contracts.Provisioning;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Datacenter;
using ProMTA.Provisioning.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Setup;

/// <summary>Sets a service up inside the caller's unit of work: dedicated IPs from the pool, a server, its reverse DNS.</summary>
public sealed partial class ServerSetup(IDatacenterProvider datacenter, IOptions<ProvisioningOptions> options, TimeProvider time, ILogger<ServerSetup> log)
{
    public async Task RunAsync(UnitOfWork work, Guid orderId, Guid serviceId, int dedicatedIps, DateTimeOffset deadline, CancellationToken ct)
    {
        var ips = await IpPool.AllocateAsync(work, serviceId, dedicatedIps, time.GetUtcNow());
        var hostnames = ips.Select((_, i) => Hostnames.ForIp(serviceId, i, options.Value.HostZone)).ToList();
        var server = await datacenter.CreateServerAsync(serviceId, hostnames[0], ips, ct);
        var now = time.GetUtcNow();
        await ServerRepository.AddAsync(work, new ServerRow(server.ServerId, serviceId, orderId, server.Hostname, [.. ips], deadline, now));
        await SetupRepository.MarkDoneAsync(work, serviceId, deadline);
        await work.PublishAsync(new ServerProvisioned
        {
            OrderId = orderId,
            ServiceId = serviceId,
            ServerId = server.ServerId,
            Hostname = server.Hostname,
            Ips = ips,
            SetupDeadline = deadline,
            ProvisionedAt = now,
        });
        await work.PublishAsync(new ReverseDnsRequested
        {
            OrderId = orderId,
            ServiceId = serviceId,
            Entries = ips.Select((ip, i) => new ReverseDnsEntry(ip, hostnames[i])).ToList(),
        });
        LogProvisioned(server.ServerId, orderId, string.Join(", ", ips));
    }

    [LoggerMessage(LogLevel.Information, "Provisioned {ServerId} for {OrderId} with {Ips}")]
    private partial void LogProvisioned(string serverId, Guid orderId, string ips);
}
