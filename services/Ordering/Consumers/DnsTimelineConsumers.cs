using ProMTA.Contracts.Dns;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>A milestone in the timeline only: the order becomes Active when Delivery has activated the relay.</summary>
public sealed class ReverseDnsPropagatedConsumer(Database db) : TimelineEntryConsumer<ReverseDnsPropagated, ReverseDnsPropagatedConsumer>(db)
{
    protected override TimelineEntry EntryFor(ReverseDnsPropagated m) => new(m.OrderId, TimelineEvent.ReverseDnsPropagated, m.PropagatedAt,
        "Reverse DNS answers for " + string.Join(", ", m.Entries.Select(e => e.Ip)));
}

/// <summary>Reverse DNS missed the 24-hour window (rule 3): an alert on the timeline; operators see it in /api/admin/dns/propagation.</summary>
public sealed class ReverseDnsPropagationDelayedConsumer(Database db)
    : TimelineEntryConsumer<ReverseDnsPropagationDelayed, ReverseDnsPropagationDelayedConsumer>(db)
{
    protected override TimelineEntry EntryFor(ReverseDnsPropagationDelayed m) => new(m.OrderId, TimelineEvent.ReverseDnsDelayed, m.DelayedAt,
        $"Reverse DNS is not seen everywhere yet, {(m.DelayedAt - m.RequestedAt).TotalHours:0} hours after it was set; our operators are on it. "
        + "The service goes live as soon as it answers.");
}

/// <summary>Records of the service were changed outside ProMTA and put back: the customer sees it happened and what.</summary>
public sealed class DnsDriftRepairedConsumer(Database db) : TimelineEntryConsumer<DnsDriftRepaired, DnsDriftRepairedConsumer>(db)
{
    protected override TimelineEntry EntryFor(DnsDriftRepaired m)
    {
        var records = string.Join(", ", m.Records.Select(r => $"{r.Type} {r.Name}"));
        return new(m.OrderId, TimelineEvent.DnsDriftRepaired, m.DetectedAt, m.Repaired
            ? $"DNS records changed outside ProMTA were restored: {records}"
            : $"DNS records changed outside ProMTA could not be restored yet ({records}); our operators are on it");
    }
}
