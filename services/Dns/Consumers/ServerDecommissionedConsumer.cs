using MassTransit;
using ProMTA.Contracts.Provisioning;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>The server is gone: its IPs' PTR and A records and the sending-domain zone go too.</summary>
public sealed class ServerDecommissionedConsumer(Database db, ServiceDnsRemoval removal) : IConsumer<ServerDecommissioned>
{
    public async Task Consume(ConsumeContext<ServerDecommissioned> context)
    {
        await using var work = await db.BeginConsumeAsync<ServerDecommissionedConsumer>(context);
        if (work is null) return;
        await removal.RunAsync(work, context.Message.ServiceId, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}
