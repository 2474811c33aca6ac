using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using Npgsql;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// The customer API's latency on the seeded fleet (<c>api</c>, after <c>api-seed</c>): the services started on that
/// database answer REQUESTS calls per route for random customers of the fleet, one at a time, each with the caller
/// header the gateway would sign (the gateway's own cost is measured in docs/operations.md). A route that answers
/// anything but 200 fails the run.
/// </summary>
public static class CustomerApiLatency
{
    private const int WarmUp = 50;

    private sealed record Route(string Name, string Service, Func<Sample, string> Path);

    private sealed record Sample(Guid CustomerId, string Email, Guid ServiceId);

    private static readonly Route[] Routes =
    [
        new("GET /api/services", "ORDERING_URL", _ => "/api/services"),
        new("GET /api/services/{id}", "ORDERING_URL", s => $"/api/services/{s.ServiceId}"),
        new("GET /api/invoices", "BILLING_URL", _ => "/api/invoices"),
        new("GET /api/services/{id}/delivery", "DELIVERY_URL", s => $"/api/services/{s.ServiceId}/delivery"),
    ];

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var signer = new CallerToken(Environment.GetEnvironmentVariable("Auth__InternalSecret") ?? throw new ArgumentException("set Auth__InternalSecret"));
        await using var connection = new NpgsqlConnection(options.ConnectionString);
        var samples = (await connection.QueryAsync<Sample>("""
            SELECT c.id AS customerid, c.email, s.id AS serviceid FROM ordering.services s JOIN ordering.customers c ON c.id = s.customer_id
            """)).ToList();
        var fleet = await connection.QuerySingleAsync<(long Customers, long Services, long Invoices, long Recipients, long Events)>("""
            SELECT (SELECT count(*) FROM ordering.customers), (SELECT count(*) FROM ordering.services), (SELECT count(*) FROM billing.invoices),
                   (SELECT count(*) FROM delivery.recipients), (SELECT count(*) FROM delivery.delivery_events)
            """);
        Console.WriteLine($"fleet: {fleet.Customers} customers, {fleet.Services} services, {fleet.Invoices} invoices, {fleet.Recipients} recipients, {fleet.Events} delivery events");
        Console.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg")[..14]}");
        // The services' own jobs (outbox relays, schedulers, the outbound worker, the DSN job) read the database all the
        // time: what they read while no request comes, per table and by statement, is what grows with a fleet unseen.
        // (A request's own reads are a few dozen blocks: too few to tell from this background in the database's totals.)
        var idleStart = await DatabaseWorkAsync(connection);
        var tablesBefore = await TableReadsAsync(connection);
        var idleClock = Stopwatch.StartNew();
        var running = await SampleRunningStatementsAsync(options.ConnectionString, TimeSpan.FromSeconds(8));
        var idle = await DatabaseWorkAsync(connection) - idleStart;
        var idleSeconds = idleClock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"background (the services' own jobs, no requests): {idle.Blocks / idleSeconds:0} blocks/s, {idle.Rows / idleSeconds:0} rows read/s"));
        var tablesAfter = await TableReadsAsync(connection);
        foreach (var (table, rows) in tablesAfter.Select(t => (t.Key, Rows: t.Value - tablesBefore.GetValueOrDefault(t.Key))).OrderByDescending(t => t.Rows).Take(5))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {table}: {rows / idleSeconds:0} rows read/s (sequential scans and index fetches)"));
        }
        foreach (var (statement, seen) in running.OrderByDescending(r => r.Value).Take(3))
        {
            Console.WriteLine($"  running in {seen} of the samples: {statement}");
        }
        Console.WriteLine("| route | requests | p50 | p90 | p99 | max |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var random = new Random(20);
        var failed = false;
        foreach (var route in Routes)
        {
            using var http = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable(route.Service) ?? throw new ArgumentException($"set {route.Service}")) };
            var latencies = new List<double>(options.Requests);
            for (var i = 0; i < WarmUp + options.Requests; i++)
            {
                var sample = samples[random.Next(samples.Count)];
                using var request = new HttpRequestMessage(HttpMethod.Get, route.Path(sample));
                request.Headers.Add(CallerToken.HeaderName,
                    signer.Create(new Caller(sample.CustomerId, Roles.Customer, sample.CustomerId, TeamRoles.Owner, sample.Email), DateTimeOffset.UtcNow));
                var clock = Stopwatch.StartNew();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                clock.Stop();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Console.WriteLine($"{route.Name} for customer {sample.CustomerId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    failed = true;
                    break;
                }
                if (i >= WarmUp) latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
            latencies.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {route.Name} | {latencies.Count} | {Percentile(latencies, 0.50):0.0} ms | {Percentile(latencies, 0.90):0.0} ms | {Percentile(latencies, 0.99):0.0} ms | {latencies.LastOrDefault():0.0} ms |"));
        }
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg")[..14]}");
        return failed ? 1 : 0;
    }

    /// <summary>
    /// What the database did, from its own counters: buffers touched and rows read (scanned or fetched by index).
    /// Backends report them when idle, at most once a second: read after a pause.
    /// </summary>
    private static async Task<DatabaseWork> DatabaseWorkAsync(NpgsqlConnection connection)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        return await connection.QuerySingleAsync<DatabaseWork>(
            "SELECT blks_hit + blks_read AS blocks, tup_returned + tup_fetched AS rows FROM pg_stat_database WHERE datname = current_database()");
    }

    /// <summary>The statements other sessions were running, sampled every 50 ms: which query the background time goes to.</summary>
    private static async Task<Dictionary<string, int>> SampleRunningStatementsAsync(string connectionString, TimeSpan duration)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var seen = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            foreach (var query in await connection.QueryAsync<string>(
                "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database()"))
            {
                seen[query] = seen.GetValueOrDefault(query) + 1;
            }
            await Task.Delay(50);
        }
        return seen;
    }

    /// <summary>Rows read per table so far (sequential scans' rows and index fetches): which table the background reads.</summary>
    private static async Task<Dictionary<string, long>> TableReadsAsync(NpgsqlConnection connection) =>
        (await connection.QueryAsync<(string Table, long Rows)>(
            "SELECT schemaname || '.' || relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables"))
        .ToDictionary(t => t.Table, t => t.Rows);

    private readonly record struct DatabaseWork(long Blocks, long Rows)
    {
        public static DatabaseWork operator -(DatabaseWork a, DatabaseWork b) => new(a.Blocks - b.Blocks, a.Rows - b.Rows);
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
}
