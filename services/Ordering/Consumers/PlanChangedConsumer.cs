using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>Billing moved the service to another product: the service shows it and the order's timeline says when.</summary>
public sealed class PlanChangedConsumer(Database db) : IConsumer<PlanChanged>
{
    public async Task Consume(ConsumeContext<PlanChanged> context)
    {
        var changed = context.Message;
        await using var work = await db.BeginConsumeAsync<PlanChangedConsumer>(context);
        if (work is null) return;
        await ServiceRepository.SetProductAsync(work, changed.ServiceId, changed.ProductId, changed.ChangedAt);
        await OrderRepository.AppendTimelineAsync(work, changed.OrderId, TimelineEvent.PlanChanged, changed.ChangedAt,
            $"Plan changed to {changed.ProductName} from {changed.EffectiveOn:yyyy-MM-dd}: {changed.DedicatedIps} dedicated IPs (was {changed.PreviousDedicatedIps})");
        await work.CommitAsync(context.CancellationToken);
    }
}

/// <summary>Provisioning added or released dedicated IPs of a running service (a plan change).</summary>
public sealed class DedicatedIpsChangedConsumer(Database db) : IConsumer<Contracts.Provisioning.DedicatedIpsChanged>
{
    public async Task Consume(ConsumeContext<Contracts.Provisioning.DedicatedIpsChanged> context)
    {
        var changed = context.Message;
        await using var work = await db.BeginConsumeAsync<DedicatedIpsChangedConsumer>(context);
        if (work is null) return;
        await ServiceRepository.SetIpsAsync(work, changed.ServiceId, changed.Ips, changed.ChangedAt);
        await work.CommitAsync(context.CancellationToken);
    }
}
