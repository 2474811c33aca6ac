using MassTransit;
using Microsoft.Extensions.Options;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Provisioning;
using ProMTA.Provisioning.Data;
using ProMTA.Provisioning.Datacenter;
using ProMTA.Provisioning.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Consumers;

/// <summary>The first paid month sets the service up: dedicated IPs from the pool, a server, and its reverse DNS.</summary>
public sealed partial class PaymentSucceededConsumer(
    Database db, IDatacenterProvider datacenter, WorkingDays workingDays, IOptions<ProvisioningOptions> options,
    TimeProvider time, ILogger<PaymentSucceededConsumer> log) : IConsumer<PaymentSucceeded>
{
    public async Task Consume(ConsumeContext<PaymentSucceeded> context)
    {
        var paid = context.Message;
        if (paid.PeriodIndex != 0) return; // renewals keep the server that exists
        await using var work = await db.BeginConsumeAsync<PaymentSucceededConsumer>(context);
        if (work is null) return;

        var ips = await IpPool.AllocateAsync(work, paid.ServiceId, paid.DedicatedIps, time.GetUtcNow());
        var hostnames = ips.Select((_, i) => Hostnames.ForIp(paid.ServiceId, i, options.Value.HostZone)).ToList();
        var server = await datacenter.CreateServerAsync(paid.ServiceId, hostnames[0], ips, context.CancellationToken);
        var now = time.GetUtcNow();
        var deadline = workingDays.Add(paid.PaidAt, 1);
        await ServerRepository.AddAsync(work, new ServerRow(server.ServerId, paid.ServiceId, paid.OrderId, server.Hostname, [.. ips], deadline, now));
        await work.PublishAsync(new ServerProvisioned
        {
            OrderId = paid.OrderId,
            ServiceId = paid.ServiceId,
            ServerId = server.ServerId,
            Hostname = server.Hostname,
            Ips = ips,
            SetupDeadline = deadline,
            ProvisionedAt = now,
        });
        await work.PublishAsync(new ReverseDnsRequested
        {
            OrderId = paid.OrderId,
            ServiceId = paid.ServiceId,
            Entries = ips.Select((ip, i) => new ReverseDnsEntry(ip, hostnames[i])).ToList(),
        });
        await work.CommitAsync(context.CancellationToken);
        LogProvisioned(server.ServerId, paid.OrderId, string.Join(", ", ips));
    }

    [LoggerMessage(LogLevel.Information, "Provisioned {ServerId} for {OrderId} with {Ips}")]
    private partial void LogProvisioned(string serverId, Guid orderId, string ips);
}
