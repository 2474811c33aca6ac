namespace ProMTA.LoadGenerator;

/// <summary>
/// The same requests through the gateway and straight at Ordering, interleaved so both see the same machine load.
/// Orders here use the declined test card: their POST costs the same, and they take no dedicated IP from the pool.
/// </summary>
public sealed class GatewayOverheadRun(OrderingClient gateway, OrderingClient direct, IReadOnlyList<(Customer Customer, Guid OrderId)> orders, LoadOptions options)
{
    public Latencies GatewayGet { get; } = new("GET /api/orders/{id} via gateway");
    public Latencies DirectGet { get; } = new("GET /api/orders/{id} direct to Ordering");
    public Latencies GatewayPost { get; } = new("POST /api/orders via gateway");
    public Latencies DirectPost { get; } = new("POST /api/orders direct to Ordering");

    public async Task RunAsync(CancellationToken ct)
    {
        var next = -1;
        var posts = options.Comparisons / 4;
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < options.Comparisons; i = Interlocked.Increment(ref next))
            {
                var (customer, orderId) = orders[i % orders.Count];
                var viaGateway = i % 2 == 0;
                if (i < posts * 2)
                {
                    await (viaGateway ? GatewayPost : DirectPost).TimeAsync(() => (viaGateway ? gateway : direct).PlaceOrderAsync(customer, "pm_card_chargeDeclined", ct));
                }
                await (viaGateway ? GatewayGet : DirectGet).TimeAsync(() => (viaGateway ? gateway : direct).GetOrderAsync(customer, orderId, ct));
            }
        }, ct)));
    }

    public static double Ratio(Latencies viaGateway, Latencies direct, double percentile) =>
        viaGateway.Percentile(percentile) / direct.Percentile(percentile);
}
