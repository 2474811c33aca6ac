using ProMTA.Contracts.Provisioning;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>The datacenter refused the server after every retry: an alert on the timeline (operators see it in the overdue list).</summary>
public sealed class ServerSetupFailedConsumer(Database db) : TimelineEntryConsumer<ServerSetupFailed, ServerSetupFailedConsumer>(db)
{
    protected override TimelineEntry EntryFor(ServerSetupFailed m) => new(m.OrderId, TimelineEvent.SetupFailed, m.FailedAt,
        $"Setup is delayed: the datacenter refused the server after {m.Attempts} attempts ({m.Reason}); our operators are on it, deadline {m.SetupDeadline:yyyy-MM-dd HH:mm} UTC");
}
