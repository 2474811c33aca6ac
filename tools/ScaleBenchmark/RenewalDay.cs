using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Billing;
using ProMTA.Billing.Catalogue;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Orders;
using ProMTA.Billing.Renewals;
using ProMTA.Billing.Stripe;
using ProMTA.Billing.Vat;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;
using StripeEmulator;
using StripeEmulator.Latency;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// The renewal run of one day at fleet scale (issue 20): SERVICES services of CUSTOMERS customers are ordered and paid
/// through Billing's own first-month charge (what its OrderPlaced consumer runs, Stripe.net against the emulator), DUE of
/// them on the day whose renewals fall on the measured day, the rest later in the month so that nothing else is due then. Then the
/// renewal processor (what the daily scheduler runs) renews that day with WORKERS processors side by side, as that many
/// replicas would, while each Stripe call takes LATENCY ms. Printed: time, Stripe calls by kind, and the checks that
/// every due service was charged exactly once and no other service at all.
/// </summary>
public static class RenewalDay
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
    private static readonly DateOnly DueOrderDay = new(2027, 1, 15);
    private const int SeedParallelism = 4;

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = options.ConnectionString;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDatabase("billing", typeof(BillingOptions).Assembly);
        using var host = builder.Build();
        await host.StartAsync();
        var db = host.Services.GetRequiredService<Database>();

        await using var emulator = await StripeEmulatorApp.StartAsync("http://127.0.0.1:0", new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });
        var stripeApi = emulator.GetBaseAddress();
        using var emulatorHttp = new HttpClient { BaseAddress = stripeApi };
        var stripe = new StripePayments(new global::Stripe.StripeClient("sk_test_scale_benchmark", apiBase: stripeApi.ToString().TrimEnd('/')));
        var calendar = new BillingCalendar(Amsterdam);
        var issuer = new InvoiceIssuer(new VatRules(new VatOptions(), "NL"), Options.Create(new SellerOptions()));
        var time = new FakeTimeProvider();

        var seed = Stopwatch.StartNew();
        await SeedAsync(db, options, new FirstMonthCharge(stripe, issuer, calendar, Options.Create(new BillingOptions()), time, NullLogger<FirstMonthCharge>.Instance), time);
        Console.WriteLine($"seeded {options.Services} services of {options.Customers} customers through FirstMonthCharge in {seed.Elapsed.TotalSeconds:0} s");

        var day = BillingCalendar.ChargeDate(DueOrderDay, 1);
        time.SetUtcNow(At(day).AddHours(-3)); // the scheduler's morning run
        emulator.Services.GetRequiredService<ApiLatency>().Delay = TimeSpan.FromMilliseconds(options.LatencyMs);
        var callsBefore = await CallsAsync(emulatorHttp);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var run = Stopwatch.StartNew();
        var processed = await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(_ =>
            new RenewalProcessor(db, stripe, new InvoiceSettlement(time), issuer, Options.Create(new BillingOptions()), time, NullLogger<RenewalProcessor>.Instance)
                .RunAsync(day, CancellationToken.None)));
        run.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var calls = Difference(await CallsAsync(emulatorHttp), callsBefore);

        var failures = await CheckAsync(db, emulatorHttp, options);
        Console.WriteLine($"renewal day {day:yyyy-MM-dd}: {processed.Sum()} services renewed by {options.Workers} worker(s), Stripe latency {options.LatencyMs} ms");
        Console.WriteLine($"  time {run.Elapsed.TotalSeconds:0.00} s = {run.Elapsed.TotalMilliseconds / Math.Max(1, processed.Sum()):0.0} ms per service; " +
            $"CPU of this process (Billing's code and the in-process emulator) {cpu.TotalSeconds:0.00} s");
        Console.WriteLine($"  Stripe calls: {calls.Values.Sum()} ({string.Join(", ", calls.Select(c => $"{c.Key} {c.Value}"))})");
        Console.WriteLine(failures.Count == 0 ? "  checks: every due service charged exactly once for period 1, no other service charged, one invoice each"
            : "  CHECKS FAILED: " + string.Join("; ", failures));
        await host.StopAsync();
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Orders paid day by day at the day's hour: DUE on <see cref="DueOrderDay"/> (renewed on the measured day, 1 February),
    /// the others spread over the rest of January (renewed from 2 February on, 14 days before their periods start). Customers have one service or more: service i is customer i % CUSTOMERS's.
    /// </summary>
    private static async Task SeedAsync(Database db, BenchmarkOptions options, FirstMonthCharge firstMonth, FakeTimeProvider time)
    {
        await using (var work = await db.BeginAsync())
        {
            foreach (var product in Catalogue) await BilledProducts.SaveAsync(work, product);
            await work.CommitAsync();
        }
        var customers = Enumerable.Range(0, options.Customers).Select(_ => Guid.NewGuid()).ToArray();
        var orders = Enumerable.Range(0, options.Services).Select(i =>
        {
            var orderedOn = i < options.Due ? DueOrderDay : DueOrderDay.AddDays(1 + i % 16);
            return (OrderedOn: orderedOn, Lane: i % customers.Length % SeedParallelism, Order: new OrderPlaced
            {
                OrderId = Guid.NewGuid(), ServiceId = Guid.NewGuid(), CustomerId = customers[i % customers.Length],
                CustomerEmail = $"customer{i % customers.Length}@scale.test", CustomerName = $"Customer {i % customers.Length}",
                ProductId = "promta-starter", ProductName = "ProMTA Starter", MonthlyPriceMinor = 14900, Currency = "EUR", DedicatedIps = 1,
                PaymentMethodId = "pm_card_visa", OrderedAt = At(orderedOn).AddHours(10),
            });
        }).ToList();
        foreach (var day in orders.GroupBy(o => o.OrderedOn).OrderBy(g => g.Key))
        {
            time.SetUtcNow(At(day.Key).AddHours(10));
            // A customer's services in one lane: its Stripe customer is created by the first, found by the next.
            await Parallel.ForEachAsync(day.GroupBy(o => o.Lane), async (lane, ct) =>
            {
                foreach (var (_, _, order) in lane)
                {
                    await using var work = await db.BeginAsync(ct);
                    await firstMonth.ChargeAsync(work, order, ct);
                    await work.CommitAsync(ct);
                }
            });
        }
    }

    private static async Task<List<string>> CheckAsync(Database db, HttpClient emulator, BenchmarkOptions options)
    {
        var failures = new List<string>();
        await using var connection = await db.OpenAsync();
        var invoiced = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices WHERE period_index = 1");
        var paid = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices WHERE period_index = 1 AND status = 'Paid'");
        if (invoiced != options.Due || paid != options.Due) failures.Add($"{invoiced} period-1 invoices, {paid} paid; expected {options.Due}");
        var dueServices = (await connection.QueryAsync<Guid>(
            "SELECT service_id FROM billed_services WHERE ordered_on = @Day", new { Day = DueOrderDay })).ToHashSet();
        var ledger = await emulator.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        var renewals = ledger.GetProperty("data").EnumerateArray()
            .Where(e => e.GetProperty("status").GetString() == "succeeded" && e.GetProperty("metadata").TryGetProperty("period", out var p) && p.GetString() == "1")
            .Select(e => Guid.Parse(e.GetProperty("metadata").GetProperty("service_id").GetString()!))
            .ToList();
        if (renewals.Count != renewals.Distinct().Count()) failures.Add($"{renewals.Count - renewals.Distinct().Count()} services charged twice");
        if (!renewals.ToHashSet().SetEquals(dueServices)) failures.Add($"{renewals.Distinct().Count()} services charged, {dueServices.Count} due");
        return failures;
    }

    private static async Task<Dictionary<string, long>> CallsAsync(HttpClient emulator) =>
        (await emulator.GetFromJsonAsync<Dictionary<string, long>>("/_emulator/requests"))!;

    private static Dictionary<string, long> Difference(Dictionary<string, long> after, Dictionary<string, long> before) =>
        after.Select(a => (a.Key, Value: a.Value - before.GetValueOrDefault(a.Key))).Where(a => a.Value > 0).ToDictionary(a => a.Key, a => a.Value);

    private static DateTimeOffset At(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), Amsterdam.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue))).ToUniversalTime();

    private static readonly ProductPublished[] Catalogue =
    [
        Product("promta-starter", "ProMTA Starter", 14900, 1, 1),
        Product("promta-business", "ProMTA Business", 39900, 4, 2),
        Product("promta-enterprise", "ProMTA Enterprise", 119900, 16, 3),
    ];

    private static ProductPublished Product(string id, string name, long price, int ips, int sort) => new()
    {
        ProductId = id, Name = name, MonthlyPriceMinor = price, Currency = "EUR", DedicatedIps = ips, SortOrder = sort, ExtraIpMonthlyPriceMinor = 2500,
        PublishedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };
}
