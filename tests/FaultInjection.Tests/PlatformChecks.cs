using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace ProMTA.FaultInjection;

/// <summary>What must hold after the storm; each check answers the violations it found (empty: it holds).</summary>
public static class PlatformChecks
{
    private static readonly string[] ActiveTimeline = ["Placed", "Paid", "Provisioned", "ReverseDnsRequested", "ReverseDnsPropagated", "Active"];
    private static readonly string[] DeclinedTimeline = ["Placed", "PaymentFailed"];

    /// <summary>
    /// Every event of the order's path is in its timeline exactly once: none lost, none applied twice. (Other lines,
    /// such as DNS alerts, may come and go with the platform's checks and are not counted.)
    /// </summary>
    public static async Task<IReadOnlyList<string>> TimelinesAsync(OrderStream stream, IReadOnlyList<PlacedOrder> orders, CancellationToken ct)
    {
        var violations = new List<string>();
        foreach (var order in orders)
        {
            var body = await stream.GetAsync($"/api/orders/{order.OrderId}", order.ApiKey, ct);
            var events = body.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("status").GetString()!).ToList();
            var expected = order.ExpectedStatus == "Active" ? ActiveTimeline : DeclinedTimeline;
            var wrong = expected.Where(e => events.Count(seen => seen == e) != 1).ToList();
            if (wrong.Count > 0)
            {
                violations.Add($"order {order.OrderId} ({order.PaymentMethod}) timeline [{string.Join(", ", events)}]: " +
                    $"not exactly once: {string.Join(", ", wrong)}");
            }
        }
        return violations;
    }

    /// <summary>The Stripe emulator's ledger: one attempt per order, succeeded for the good card, failed for the declined one.</summary>
    public static async Task<IReadOnlyList<string>> ChargesAsync(Uri stripeEmulator, IReadOnlyList<PlacedOrder> orders, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = stripeEmulator };
        var ledger = await http.GetFromJsonAsync<JsonElement>("/_emulator/ledger", ct);
        var attempts = ledger.GetProperty("data").EnumerateArray()
            .Where(e => e.GetProperty("metadata").TryGetProperty("order_id", out _))
            .GroupBy(e => Guid.Parse(e.GetProperty("metadata").GetProperty("order_id").GetString()!))
            .ToDictionary(g => g.Key, g => g.Select(e => e.GetProperty("status").GetString()!).ToList());
        var violations = new List<string>();
        foreach (var order in orders)
        {
            var expected = order.PaymentMethod == OrderStream.GoodCard ? "succeeded" : "failed";
            var seen = attempts.GetValueOrDefault(order.OrderId, []);
            if (seen is not [var status] || status != expected)
            {
                violations.Add($"order {order.OrderId} ({order.PaymentMethod}) charged [{string.Join(", ", seen)}], expected one {expected}");
            }
        }
        return violations;
    }

    /// <summary>No address in two servers, and the pool agrees with the servers.</summary>
    public static async Task<IReadOnlyList<string>> IpAllocationsAsync(string connectionString, int activeOrders)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var shared = await connection.QueryAsync<string>("""
            SELECT host(ip::inet) || ' in ' || count(*) || ' servers' FROM provisioning.servers, unnest(ips) AS ip
            GROUP BY ip HAVING count(*) > 1
            """);
        var violations = shared.Select(s => $"IP {s}").ToList();
        var servers = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM provisioning.servers");
        var allocated = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM provisioning.ip_addresses WHERE state = 'allocated'");
        var inServers = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM provisioning.servers, unnest(ips)");
        if (servers != activeOrders) violations.Add($"{servers} servers for {activeOrders} paid orders");
        if (allocated != inServers) violations.Add($"{allocated} addresses allocated in the pool, {inServers} held by servers");
        return violations;
    }

    /// <summary>Every outbox row of every service was published.</summary>
    public static async Task<IReadOnlyList<string>> OutboxesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var violations = new List<string>();
        foreach (var schema in FaultPlan.Schemas)
        {
            var unsent = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".outbox_messages WHERE sent_at IS NULL");
            if (unsent > 0) violations.Add($"{unsent} unsent outbox rows in {schema}");
        }
        return violations;
    }

    /// <summary>Nothing in an _error or _skipped queue, nothing left unconsumed (and the listing really saw the consumers' queues).</summary>
    public static IReadOnlyList<string> Queues(IReadOnlyDictionary<string, long> depths)
    {
        var violations = depths.Where(q => q.Value > 0).Select(q => $"{q.Value} messages in queue {q.Key}").ToList();
        if (!depths.ContainsKey("billing-order-placed")) violations.Add($"the queue listing misses billing-order-placed: [{string.Join(", ", depths.Keys)}]");
        return violations;
    }
}
