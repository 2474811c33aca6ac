using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Provisioning.Setup;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Consumers;

/// <summary>The service's plan changed (an upgrade paid now, or a downgrade whose period started): its IPs follow.</summary>
public sealed class PlanChangedConsumer(Database db, ServerIpChange ipChange) : IConsumer<PlanChanged>
{
    public async Task Consume(ConsumeContext<PlanChanged> context)
    {
        var changed = context.Message;
        await using var work = await db.BeginConsumeAsync<PlanChangedConsumer>(context);
        if (work is null) return;
        await ipChange.RunAsync(work, changed.OrderId, changed.ServiceId, changed.DedicatedIps, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}
