using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.Provisioning.Setup;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Consumers;

/// <summary>Unpaid 14 days after suspension (rule 12): the server goes.</summary>
public sealed class ServiceTerminatedConsumer(Database db, ServerDecommission decommission) : IConsumer<ServiceTerminated>
{
    public async Task Consume(ConsumeContext<ServiceTerminated> context)
    {
        await using var work = await db.BeginConsumeAsync<ServiceTerminatedConsumer>(context);
        if (work is null) return;
        await decommission.RunAsync(work, context.Message.OrderId, context.Message.ServiceId, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}

/// <summary>A cancelled service reached the end of its last paid period: the server goes.</summary>
public sealed class ServiceEndedConsumer(Database db, ServerDecommission decommission) : IConsumer<ServiceEnded>
{
    public async Task Consume(ConsumeContext<ServiceEnded> context)
    {
        await using var work = await db.BeginConsumeAsync<ServiceEndedConsumer>(context);
        if (work is null) return;
        await decommission.RunAsync(work, context.Message.OrderId, context.Message.ServiceId, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}
