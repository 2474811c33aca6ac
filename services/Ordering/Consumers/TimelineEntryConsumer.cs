using MassTransit;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>One line on the order's timeline.</summary>
public sealed record TimelineEntry(Guid OrderId, string Status, DateTimeOffset At, string? Detail);

/// <summary>
/// For events that only add a line to the order's timeline (a milestone or an alert, never a status change): once per
/// message thanks to the inbox.
/// </summary>
public abstract class TimelineEntryConsumer<TMessage, TSelf>(Database db) : IConsumer<TMessage>
    where TMessage : class
    where TSelf : TimelineEntryConsumer<TMessage, TSelf>
{
    protected abstract TimelineEntry EntryFor(TMessage message);

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        await using var work = await db.BeginConsumeAsync<TSelf>(context);
        if (work is null) return;
        var entry = EntryFor(context.Message);
        await OrderRepository.AppendTimelineAsync(work, entry.OrderId, entry.Status, entry.At, entry.Detail);
        await work.CommitAsync(context.CancellationToken);
    }
}
