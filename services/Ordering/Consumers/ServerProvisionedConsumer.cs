using MassTransit;
using ProMTA.Contracts.Provisioning;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

public sealed class ServerProvisionedConsumer(Database db) : IConsumer<ServerProvisioned>
{
    public async Task Consume(ConsumeContext<ServerProvisioned> context)
    {
        var server = context.Message;
        await using var work = await db.BeginConsumeAsync<ServerProvisionedConsumer>(context);
        if (work is null) return;
        await OrderRepository.AdvanceAsync(work, server.OrderId, OrderStatus.Provisioned, server.ProvisionedAt,
            $"Setup done: server {server.Hostname} with IPs {string.Join(", ", server.Ips)}");
        await ServiceRepository.MarkProvisionedAsync(work, server.ServiceId, server.Ips, server.Hostname, server.SetupDeadline);
        await work.CommitAsync();
    }
}
