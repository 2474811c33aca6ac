using MassTransit;
using ProMTA.Contracts.Provisioning;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>IPs removed from a running service (a downgrade) lose the reverse DNS we published for them; added ones come with ReverseDnsRequested.</summary>
public sealed class DedicatedIpsChangedConsumer(Database db, ReleasedIpsRemoval removal) : IConsumer<DedicatedIpsChanged>
{
    public async Task Consume(ConsumeContext<DedicatedIpsChanged> context)
    {
        await using var work = await db.BeginConsumeAsync<DedicatedIpsChangedConsumer>(context);
        if (work is null) return;
        await removal.RunAsync(work, context.Message.ServiceId, context.Message.Removed, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}
