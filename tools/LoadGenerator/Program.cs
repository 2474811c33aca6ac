using ProMTA.LoadGenerator;

// dotnet run --project tools/LoadGenerator -c Release -- --gateway http://localhost:8080 --ordering http://localhost:8081 --data .data
var options = LoadOptions.Parse(args);
using var timeout = new CancellationTokenSource(options.Timeout);
var ct = timeout.Token;
var gateway = OrderingClient.ThroughGateway(options.Gateway);

// Signups are limited to 60 per minute per IP: a few customers, each with many orders. The first requests after a
// start may time out while the services warm up (JIT, pools) on a busy machine: those are retried, not measured.
// The warm-up has customers of its own: the measured orders are shaped as on a cold stack (each customer's first order
// among them) and the generator's status lists do not carry the warm-up's orders.
var signups = options.WarmupOrders > 0 ? 2 * options.Customers : options.Customers;
var customers = new List<Customer>();
var failures = 0;
while (customers.Count < signups)
{
    try
    {
        customers.Add(await gateway.SignUpAsync(ct));
    }
    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && ++failures < 10 && !ct.IsCancellationRequested)
    {
        Console.WriteLine($"signup failed ({ex.GetType().Name}); warming up, retrying");
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
    }
}
Console.WriteLine($"load average {StackCpu.LoadAverage()}; {customers.Count} customers signed up; {options.Orders} orders, {options.Concurrency} concurrent requests");

if (options.WarmupOrders > 0)
{
    var warmup = new EndToEndRun(gateway, customers[options.Customers..], options with { Orders = options.WarmupOrders, StackPid = null });
    await warmup.RunAsync(ct);
    Console.WriteLine($"warm-up: {warmup.Orders.Count} orders placed -> Active in {warmup.Elapsed.TotalSeconds:0.0} s (not measured)");
}

if (options.StackPid is { } stack && options.IdleSeconds > 0)
{
    // What the stack burns with nothing to do (polling loops, metric exports, health checks): part of every order's
    // CPU in proportion to how long the run takes, so it is shown apart.
    var idleBefore = StackCpu.Snapshot(stack);
    await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds), ct);
    Console.WriteLine($"\nIdle stack, CPU ms per second over {options.IdleSeconds} s (load average {StackCpu.LoadAverage()}):");
    foreach (var line in StackCpu.PerSecond(idleBefore, StackCpu.Snapshot(stack), options.IdleSeconds)) Console.WriteLine(line);
    Console.WriteLine();
}

var endToEnd = new EndToEndRun(gateway, customers[..options.Customers], options);
Console.WriteLine("placing orders");  // load.sh starts its profilers on this line
await endToEnd.RunAsync(ct);
Console.WriteLine();
Console.WriteLine($"{endToEnd.Orders.Count} orders placed -> Active in {endToEnd.Elapsed.TotalSeconds:0.0} s: {endToEnd.OrdersPerSecond:0.00} orders/s end to end");
Console.WriteLine(endToEnd.Post);
Console.WriteLine(endToEnd.Get);
Console.WriteLine(endToEnd.PlacedToActive);
if (endToEnd.Cpu is ({ } before, { } after))
{
    Console.WriteLine($"\nCPU per order by process, first POST to last Active ({Environment.ProcessorCount} cores, load average {StackCpu.LoadAverage()} at the end):");
    foreach (var line in StackCpu.PerOrder(before, after, endToEnd.Orders.Count, endToEnd.Elapsed)) Console.WriteLine(line);
}

if (options.Ordering is null || options.Comparisons == 0)
{
    Console.WriteLine("\nNo --ordering URL or no comparisons: gateway overhead not measured.");
    return;
}
var secret = File.ReadAllText(Path.Combine(options.DataDirectory, "secrets", "internal-secret")).Trim();
var overhead = new GatewayOverheadRun(gateway, OrderingClient.Direct(options.Ordering, secret), endToEnd.Orders, options);
await overhead.RunAsync(ct);
Console.WriteLine();
Console.WriteLine("Gateway overhead (same run, requests interleaved):");
foreach (var latencies in new[] { overhead.GatewayPost, overhead.DirectPost, overhead.GatewayGet, overhead.DirectGet }) Console.WriteLine(latencies);
Console.WriteLine($"POST ratio gateway/direct: p50 {GatewayOverheadRun.Ratio(overhead.GatewayPost, overhead.DirectPost, 50):0.00}x, p99 {GatewayOverheadRun.Ratio(overhead.GatewayPost, overhead.DirectPost, 99):0.00}x");
Console.WriteLine($"GET  ratio gateway/direct: p50 {GatewayOverheadRun.Ratio(overhead.GatewayGet, overhead.DirectGet, 50):0.00}x, p99 {GatewayOverheadRun.Ratio(overhead.GatewayGet, overhead.DirectGet, 99):0.00}x");
