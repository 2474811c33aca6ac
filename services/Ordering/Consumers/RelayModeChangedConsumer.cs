using MassTransit;
using ProMTA.Contracts.Delivery;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>Keeps the relay mode shown by GET /api/services current with Delivery's, which the relay enforces (issue 18).</summary>
public sealed class RelayModeChangedConsumer(Database db) : IConsumer<RelayModeChanged>
{
    public async Task Consume(ConsumeContext<RelayModeChanged> context)
    {
        var changed = context.Message;
        await using var work = await db.BeginConsumeAsync<RelayModeChangedConsumer>(context);
        if (work is null) return;
        await ServiceRepository.SetRelayModeAsync(work, changed.ServiceId, changed.Mode, changed.ChangedAt);
        await work.CommitAsync();
    }
}
