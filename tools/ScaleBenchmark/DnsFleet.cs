using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.Contracts.Provisioning;
using ProMTA.Dns;
using ProMTA.Dns.Data;
using ProMTA.Dns.Monitoring;
using ProMTA.Dns.PowerDns;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// One DNS monitoring cycle over a fleet (issue 20): SERVICES services, each with its sending domain hosted and one
/// dedicated IP's PTR and A published, through Dns's own code (what its OrderPlaced and ReverseDnsRequested consumers
/// run) against a real PowerDNS. Then each monitoring step is run over the whole fleet, batch after batch as the
/// monitor does, on a clock moved past each schedule: reverse DNS propagation, the delegation check (which queues each
/// domain), the publication of the queued domains' DKIM keys and records (DomainPublisher's own loop, not the
/// monitor's), the drift check of every published rrset, the daily delegation recheck. Printed per step: time,
/// services per second, and PowerDNS's own counters (queries answered, its CPU).
/// </summary>
public static class DnsFleet
{
    // Orders arrive side by side: the benchmark's PowerDNS keeps its zones in PostgreSQL (as production does), which
    // takes concurrent API writes (SQLite answered them with "database is locked").
    private static readonly int SeedParallelism = Environment.ProcessorCount * 2;

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var powerDnsApi = Required("PDNS_API_URL");
        var powerDnsKey = Required("PDNS_API_KEY");
        var time = new SettableTime { Now = new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero) };
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = options.ConnectionString,
            // No RabbitMQ: the steps measured here only write to the outbox; the bus retries quietly in the background.
            ["ConnectionStrings:rabbitmq"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Auth:InternalSecret"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Dkim:EncryptionKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["PowerDns:ApiUrl"] = powerDnsApi,
            ["PowerDns:ApiKey"] = powerDnsKey,
            ["PowerDns:DnsEndpoint"] = Required("PDNS_DNS_ENDPOINT"),
            // PostgreSQL-backed, as in production: it takes concurrent writes (SQLite, the local default, one).
            ["PowerDns:ConcurrentWrites"] = "4",
            // The monitor's own loop stays idle after its first (empty) run: each step is driven here.
            ["Dns:MonitorInterval"] = "1.00:00:00",
            ["Dns:PublicationInterval"] = "1.00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:MassTransit"] = "None",
            ["Logging:LogLevel:ProMTA.ServiceDefaults.Messaging.DeadLetters"] = "None", // no RabbitMQ to read _error queues from
            ["Logging:LogLevel:ProMTA.Dns"] = "Error",
        });
        // As the service runs: its defaults (the HTTP resilience handler retries PowerDNS's transient 5xx), then the clock.
        builder.AddServiceDefaults();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.AddDns();
        var callTimes = new PowerDnsCallTimes();
        builder.Services.AddHttpClient<PowerDnsClient>().AddHttpMessageHandler(callTimes.Handler);
        using var host = builder.Build();
        await host.StartAsync();
        var services = host.Services;
        var db = services.GetRequiredService<Database>();
        using var powerDns = new HttpClient { BaseAddress = new Uri(powerDnsApi.TrimEnd('/') + "/") };
        powerDns.DefaultRequestHeaders.Add("X-API-Key", powerDnsKey);

        var seed = Stopwatch.StartNew();
        var phases = await SeedAsync(services, options.Services);
        Console.WriteLine($"seeded {options.Services} services (a hosted domain, one IP's PTR and A each) through Dns's consumers' code in {seed.Elapsed.TotalSeconds:0} s");
        Console.WriteLine($"per service, summed over the seeding: hosting {phases.Hosting.TotalSeconds / options.Services * 1000:0} ms, reverse DNS {phases.Reverse.TotalSeconds / options.Services * 1000:0} ms, commits {phases.Commits.TotalSeconds / options.Services * 1000:0} ms");
        callTimes.Print(options.Services);

        Console.WriteLine("| step | services | time | services/s | DNS queries answered by PowerDNS | PowerDNS CPU s |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var propagation = services.GetRequiredService<ReverseDnsPropagation>();
        var delegation = services.GetRequiredService<DelegationWatch>();
        time.Now += TimeSpan.FromMinutes(1);
        await StepAsync("reverse DNS propagation", powerDns, () => propagation.RunDueAsync(db, CancellationToken.None));
        await StepAsync("delegation seen, publication queued", powerDns, () => delegation.RunDueAsync(db, CancellationToken.None));
        // DomainPublisher's loop, beside the monitor: each batch makes its DKIM keys on every core, then writes the zones.
        var publication = services.GetRequiredService<DomainPublication>();
        await StepAsync("records published (own loop)", powerDns, () => publication.RunDueAsync(db, CancellationToken.None));
        time.Now += TimeSpan.FromMinutes(16);
        await StepAsync("drift check of every rrset", powerDns, () => services.GetRequiredService<DnsDrift>().RunDueAsync(db, CancellationToken.None));
        time.Now += TimeSpan.FromDays(1);
        await StepAsync("daily delegation recheck", powerDns, () => delegation.RunDueAsync(db, CancellationToken.None));
        await host.StopAsync();
        return 0;
    }

    /// <summary>Service i: customer i, domain s{i}.fleet.test, IP 10.a.b.c from i, each in its own transactions.</summary>
    private static async Task<SeedPhases> SeedAsync(IServiceProvider services, int count)
    {
        var db = services.GetRequiredService<Database>();
        long hosting = 0, reverse = 0, commits = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = SeedParallelism }, async (i, ct) =>
        {
            var (serviceId, orderId) = (Guid.NewGuid(), Guid.NewGuid());
            var number = i + 1;
            var ip = $"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}";
            var start = Stopwatch.GetTimestamp();
            await using (var work = await db.BeginAsync(ct))
            {
                await DnsServices.AddOwnerAsync(work, serviceId, Guid.NewGuid(), orderId);
                await services.GetRequiredService<SendingDomainHosting>().StartAsync(work, serviceId, $"s{i}.fleet.test", ct);
                var hosted = Stopwatch.GetTimestamp();
                await work.CommitAsync(ct);
                Interlocked.Add(ref hosting, hosted - start);
                Interlocked.Add(ref commits, Stopwatch.GetTimestamp() - hosted);
            }
            start = Stopwatch.GetTimestamp();
            await using (var work = await db.BeginAsync(ct))
            {
                await services.GetRequiredService<ReverseDnsPublication>().PublishAsync(work, new ReverseDnsRequested
                {
                    OrderId = orderId, ServiceId = serviceId, Entries = [new ReverseDnsEntry(ip, $"mta{number}.promta.local")],
                }, ct);
                var published = Stopwatch.GetTimestamp();
                await work.CommitAsync(ct);
                Interlocked.Add(ref reverse, published - start);
                Interlocked.Add(ref commits, Stopwatch.GetTimestamp() - published);
            }
        });
        return new(Stopwatch.GetElapsedTime(0, hosting), Stopwatch.GetElapsedTime(0, reverse), Stopwatch.GetElapsedTime(0, commits));
    }

    /// <summary>Time spent in each part of the seeding, summed over the services seeded side by side.</summary>
    private sealed record SeedPhases(TimeSpan Hosting, TimeSpan Reverse, TimeSpan Commits);

    /// <summary>Runs one monitoring step batch after batch until nothing is due, as DnsMonitor does, and prints its row.</summary>
    private static async Task StepAsync(string name, HttpClient powerDns, Func<Task<int>> batch)
    {
        var before = await StatisticsAsync(powerDns);
        var watch = Stopwatch.StartNew();
        var done = 0;
        for (int n; (n = await batch()) > 0;) done += n;
        watch.Stop();
        var after = await StatisticsAsync(powerDns);
        long Delta(params string[] names) => names.Sum(k => after.GetValueOrDefault(k) - before.GetValueOrDefault(k));
        Console.WriteLine($"| {name} | {done} | {watch.Elapsed.TotalSeconds:0.0} s | {done / watch.Elapsed.TotalSeconds:0} | " +
            $"{Delta("udp-answers", "tcp-answers")} | {Delta("user-msec", "sys-msec") / 1000.0:0.0} |");
    }

    private static async Task<Dictionary<string, long>> StatisticsAsync(HttpClient powerDns)
    {
        var statistics = await powerDns.GetFromJsonAsync<JsonElement>("api/v1/servers/localhost/statistics");
        return statistics.EnumerateArray()
            .Where(s => s.GetProperty("type").GetString() == "StatisticItem" && long.TryParse(s.GetProperty("value").GetString(), out _))
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => long.Parse(s.GetProperty("value").GetString()!));
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) ?? throw new ArgumentException($"set {name} (tools/scripts/scale-benchmark.sh does)");
}
