using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>Billing's verdicts on a running service, shown on the service and in its order's timeline.</summary>
public static class ServiceLifecycle
{
    public static async Task RecordAsync<TConsumer>(Database db, ConsumeContext context, Guid orderId, Guid serviceId, string serviceStatus,
        string timelineEvent, DateTimeOffset at, string detail)
    {
        await using var work = await db.BeginConsumeAsync<TConsumer>(context);
        if (work is null) return;
        await OrderRepository.AppendTimelineAsync(work, orderId, timelineEvent, at, detail);
        if (serviceStatus == ServiceStatus.Ended) await ServiceRepository.MarkEndedAsync(work, serviceId, at);
        else await ServiceRepository.SetStatusAsync(work, serviceId, serviceStatus);
        await work.CommitAsync();
    }
}

public sealed class ServiceSuspendedConsumer(Database db) : IConsumer<ServiceSuspended>
{
    public Task Consume(ConsumeContext<ServiceSuspended> context) => ServiceLifecycle.RecordAsync<ServiceSuspendedConsumer>(db, context,
        context.Message.OrderId, context.Message.ServiceId, ServiceStatus.Suspended, TimelineEvent.ServiceSuspended, context.Message.SuspendedAt,
        "Suspended: the current period is unpaid; the relay refuses mail until the invoice is paid");
}

public sealed class ServiceResumedConsumer(Database db) : IConsumer<ServiceResumed>
{
    public Task Consume(ConsumeContext<ServiceResumed> context) => ServiceLifecycle.RecordAsync<ServiceResumedConsumer>(db, context,
        context.Message.OrderId, context.Message.ServiceId, ServiceStatus.Active, TimelineEvent.ServiceResumed, context.Message.ResumedAt,
        "Resumed: the overdue invoice is paid");
}

public sealed class ServiceTerminatedConsumer(Database db) : IConsumer<ServiceTerminated>
{
    public Task Consume(ConsumeContext<ServiceTerminated> context) => ServiceLifecycle.RecordAsync<ServiceTerminatedConsumer>(db, context,
        context.Message.OrderId, context.Message.ServiceId, ServiceStatus.Ended, TimelineEvent.ServiceTerminated, context.Message.TerminatedAt,
        "Terminated: unpaid 14 days after the period started; the server is decommissioned");
}

public sealed class ServiceEndedConsumer(Database db) : IConsumer<ServiceEnded>
{
    public Task Consume(ConsumeContext<ServiceEnded> context) => ServiceLifecycle.RecordAsync<ServiceEndedConsumer>(db, context,
        context.Message.OrderId, context.Message.ServiceId, ServiceStatus.Ended, TimelineEvent.ServiceEnded, context.Message.EndedAt,
        "Ended: the last paid period is over");
}
