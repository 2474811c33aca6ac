using System.Diagnostics;
using System.Text.Json;

namespace ProMTA.LoadGenerator;

/// <summary>
/// Places orders with the test card through the gateway from several workers and waits until every one is Active.
/// Placed-to-Active comes from the order's own timeline (the services' clocks), not from polling.
/// </summary>
public sealed class EndToEndRun(OrderingClient gateway, IReadOnlyList<Customer> customers, LoadOptions options)
{
    public Latencies Post { get; } = new("POST /api/orders (gateway)");
    public Latencies Get { get; } = new("GET /api/orders/{id} (gateway)");
    public Latencies PlacedToActive { get; } = new("placed -> Active (order timeline)");
    public TimeSpan Elapsed { get; private set; }
    public IReadOnlyList<(Customer Customer, Guid OrderId)> Orders { get; private set; } = [];

    /// <summary>CPU ticks per kind of process over the orders (first POST to last Active), when a stack PID is given.</summary>
    public (Dictionary<string, long> Before, Dictionary<string, long> After)? Cpu { get; private set; }

    public double OrdersPerSecond => Orders.Count / Elapsed.TotalSeconds;

    public async Task RunAsync(CancellationToken ct)
    {
        var cpuBefore = options.StackPid is { } stack ? StackCpu.Snapshot(stack) : null;
        var clock = Stopwatch.StartNew();
        var next = -1;
        var placed = new (Customer, Guid)[options.Orders];
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < options.Orders; i = Interlocked.Increment(ref next))
            {
                var customer = customers[i % customers.Count];
                placed[i] = (customer, await Post.TimeAsync(() => gateway.PlaceOrderAsync(customer, "pm_card_visa", ct)));
            }
        }, ct)));
        Orders = placed;
        await WaitUntilActiveAsync(ct);
        Elapsed = clock.Elapsed;
        if (cpuBefore is not null) Cpu = (cpuBefore, StackCpu.Snapshot(options.StackPid!.Value));
        foreach (var (customer, orderId) in Orders)
        {
            var order = await Get.TimeAsync(() => gateway.GetOrderAsync(customer, orderId, ct));
            PlacedToActive.Add(At(order, "Active") - At(order, "Placed"));
        }
    }

    /// <summary>
    /// Asks once a second, and only the customers that still have an order on its way: the generator's own reads are
    /// CPU of the stack too (each a gateway request, an Ordering query and a JSON list), and asking all 20 customers
    /// four times a second cost more than a tenth of the CPU measured per order.
    /// </summary>
    private async Task WaitUntilActiveAsync(CancellationToken ct)
    {
        var pending = Orders.GroupBy(o => o.Customer).ToDictionary(g => g.Key, g => g.Select(o => o.OrderId).ToHashSet());
        while (pending.Count > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            foreach (var (customer, orders) in pending.ToList())
            {
                foreach (var (id, status) in await gateway.StatusesAsync(customer, ct))
                {
                    if (status == "Active") orders.Remove(id);
                    else if (status == "PaymentFailed" && orders.Contains(id)) throw new InvalidOperationException($"order {id} failed payment with the test card");
                }
                if (orders.Count == 0) pending.Remove(customer);
            }
        }
    }

    private static DateTimeOffset At(JsonElement order, string status) =>
        order.GetProperty("timeline").EnumerateArray().First(e => e.GetProperty("status").GetString() == status).GetProperty("at").GetDateTimeOffset();
}
