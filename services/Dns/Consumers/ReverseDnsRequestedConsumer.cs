using MassTransit;
using ProMTA.Contracts.Provisioning;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>Publishes the reverse DNS of a service's dedicated IPs (<see cref="ReverseDnsPublication"/>) with the inbox row.</summary>
public sealed class ReverseDnsRequestedConsumer(Database db, ReverseDnsPublication publication) : IConsumer<ReverseDnsRequested>
{
    public async Task Consume(ConsumeContext<ReverseDnsRequested> context)
    {
        await using var work = await db.BeginConsumeAsync<ReverseDnsRequestedConsumer>(context);
        if (work is null) return;
        await publication.PublishAsync(work, context.Message, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
    }
}
