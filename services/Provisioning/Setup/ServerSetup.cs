using Microsoft.Extensions.Options;
using ProMTA.Contracts.Provisioning;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Datacenter;
using ProMTA.Provisioning.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Setup;

/// <summary>Sets a service up inside the caller's unit of work: dedicated IPs from the pool, a server, its reverse DNS.</summary>
public sealed partial class ServerSetup(
    IDatacenterProvider datacenter, DatacenterRetry retry, IOptions<ProvisioningOptions> options, TimeProvider time, ILogger<ServerSetup> log)
{
    public async Task RunAsync(UnitOfWork work, Guid orderId, Guid serviceId, int dedicatedIps, DateTimeOffset deadline, CancellationToken ct)
    {
        var ips = await IpPool.AllocateAsync(work, serviceId, dedicatedIps, time.GetUtcNow());
        var hostnames = ips.Select((_, i) => Hostnames.ForIp(serviceId, i, options.Value.HostZone)).ToList();
        DatacenterServer server;
        try
        {
            server = await retry.RunAsync("create server", () => datacenter.CreateServerAsync(serviceId, hostnames[0], ips, ct), ct);
            await retry.RunAsync("assign IPs", () => datacenter.AssignIpsAsync(server.ServerId, ips, ct), ct);
            await retry.RunAsync("power on", () => datacenter.PowerAsync(server.ServerId, on: true, ct), ct);
        }
        catch (DatacenterGaveUpException e)
        {
            // Committed, not thrown: redelivering would only repeat the same refusals. The IPs stay allocated to the
            // service so an operator's retry gets the same ones.
            await SetupRepository.MarkFailedAsync(work, serviceId, deadline, e.Message);
            await work.PublishAsync(new ServerSetupFailed
            {
                OrderId = orderId, ServiceId = serviceId, Reason = e.Message, Attempts = e.Attempts, SetupDeadline = deadline, FailedAt = time.GetUtcNow(),
            });
            LogFailed(orderId, e.Message);
            return;
        }
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

    [LoggerMessage(LogLevel.Error, "Setup of {OrderId} failed permanently: {Reason}")]
    private partial void LogFailed(Guid orderId, string reason);
}
