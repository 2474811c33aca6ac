using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Outbound.Egress;

namespace ProMTA.Delivery.Outbound.Dispatch;

/// <summary>
/// The turns a batch waits for before it may hold a session: a slot at its destination's MX address
/// (<c>Delivery:MaxConnectionsPerDestination</c>, whatever path the batch comes from), then one of this process's
/// (<c>Delivery:MaxConnections</c>, a <c>Delivery:TransactionalReserve</c> share of them, at least one, kept for
/// transactional batches). In that order: a batch queued behind a busy or slow destination holds nothing that another
/// destination's batch needs (taken the other way round, one customer's slow MX filled every process slot with batches
/// that only waited, and every other destination waited behind them).
/// </summary>
internal sealed class SessionSlots(IOptions<OutboundOptions> options)
{
    private readonly ConcurrentDictionary<IPAddress, TurnGate> destinations = new();

    public TurnGate Process { get; } = new(options.Value.MaxConnections,
        options.Value.MaxConnections > 1 ? Math.Max(1, (int)(options.Value.MaxConnections * options.Value.TransactionalReserve)) : 0);

    public TurnGate Destination(IPAddress address) =>
        destinations.GetOrAdd(address, _ => new TurnGate(options.Value.MaxConnectionsPerDestination));
}
