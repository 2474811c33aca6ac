using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Consumers;

/// <summary>Unpaid renewal: new mail is refused with a 5xx and the queue is held (not dropped) until it is paid.</summary>
public sealed class ServiceSuspendedConsumer(Database db) : IConsumer<ServiceSuspended>
{
    public Task Consume(ConsumeContext<ServiceSuspended> context) =>
        RelayStatus.MoveAsync<ServiceSuspendedConsumer>(db, context, context.Message.ServiceId, RelayAccounts.Suspended, RelayAccounts.Active);
}

public sealed class ServiceResumedConsumer(Database db) : IConsumer<ServiceResumed>
{
    public Task Consume(ConsumeContext<ServiceResumed> context) =>
        RelayStatus.MoveAsync<ServiceResumedConsumer>(db, context, context.Message.ServiceId, RelayAccounts.Active, RelayAccounts.Suspended);
}

public sealed class ServiceEndedConsumer(Database db) : IConsumer<ServiceEnded>
{
    public Task Consume(ConsumeContext<ServiceEnded> context) =>
        RelayStatus.MoveAsync<ServiceEndedConsumer>(db, context, context.Message.ServiceId, RelayAccounts.Ended, RelayAccounts.Active, RelayAccounts.Suspended);
}

public sealed class ServiceTerminatedConsumer(Database db) : IConsumer<ServiceTerminated>
{
    public Task Consume(ConsumeContext<ServiceTerminated> context) =>
        RelayStatus.MoveAsync<ServiceTerminatedConsumer>(db, context, context.Message.ServiceId, RelayAccounts.Ended, RelayAccounts.Active, RelayAccounts.Suspended);
}

internal static class RelayStatus
{
    public static async Task MoveAsync<TConsumer>(Database db, ConsumeContext context, Guid serviceId, string to, params string[] from)
    {
        await using var work = await db.BeginConsumeAsync<TConsumer>(context);
        if (work is null) return;
        await RelayAccounts.SetStatusAsync(work, serviceId, to, from);
        await work.CommitAsync(context.CancellationToken);
    }
}
