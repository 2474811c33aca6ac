using MassTransit;
using ProMTA.Contracts.Provisioning;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>The datacenter refused the server after every retry: an alert on the timeline (operators see it in the overdue list).</summary>
public sealed class ServerSetupFailedConsumer(Database db) : IConsumer<ServerSetupFailed>
{
    public async Task Consume(ConsumeContext<ServerSetupFailed> context)
    {
        var failed = context.Message;
        await using var work = await db.BeginConsumeAsync<ServerSetupFailedConsumer>(context);
        if (work is null) return;
        await OrderRepository.AppendTimelineAsync(work, failed.OrderId, TimelineEvent.SetupFailed, failed.FailedAt,
            $"Setup is delayed: the datacenter refused the server after {failed.Attempts} attempts ({failed.Reason}); our operators are on it, deadline {failed.SetupDeadline:yyyy-MM-dd HH:mm} UTC");
        await work.CommitAsync();
    }
}
