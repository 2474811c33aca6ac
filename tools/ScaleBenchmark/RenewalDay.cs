using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProMTA.Billing;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Renewals;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;
using StripeEmulator.Latency;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// The renewal run of one day at fleet scale (issue 20): SERVICES services of CUSTOMERS customers are ordered and paid
/// through Billing's own first-month charge (what its OrderPlaced consumer runs, Stripe.net against the emulator). For
/// each measured run (a pair of WORKERS and LATENCY), a cohort of DUE services is ordered on its own day, so that on the
/// run's day exactly that cohort is due; the rest are ordered later in the month, due after every run. Each run renews its
/// day with WORKERS renewal processors side by side (what the daily scheduler runs, as that many replicas would), each
/// Stripe call taking LATENCY ms. Printed per run: time, Stripe calls, and the checks that every due service was charged
/// exactly once and no other service at all.
/// </summary>
public static class RenewalDay
{
    private static readonly DateOnly LastCohortDay = new(2027, 1, 15);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var runs = options.Runs;
        if (options.Due * runs.Count > options.Services || runs.Count > 14) throw new ArgumentException("DUE x runs must fit in SERVICES, at most 14 runs");
        await using var billing = await BillingBench.StartAsync(options.ConnectionString);
        var (db, stripe, issuer, time) = (billing.Db, billing.Stripe, billing.Issuer, billing.Time);

        // Cohort k is ordered runs-1-k days before the last cohort's day and renewed on its own charge date.
        var cohortDays = Enumerable.Range(0, runs.Count).Select(k => LastCohortDay.AddDays(k - runs.Count + 1)).ToList();
        var seed = Stopwatch.StartNew();
        await billing.ChargeFirstMonthsAsync(Orders(options, cohortDays));
        Console.WriteLine($"seeded {options.Services} services of {options.Customers} customers through FirstMonthCharge in {seed.Elapsed.TotalSeconds:0} s " +
            $"({options.Services / seed.Elapsed.TotalSeconds:0} orders/s, 4 at a time)");

        var failed = false;
        Console.WriteLine("| workers | Stripe latency | due | renewed | time | ms per service | CPU s (Billing + emulator) | Stripe calls | checks |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        for (var k = 0; k < runs.Count; k++)
        {
            var (workers, latencyMs) = runs[k];
            var day = BillingCalendar.ChargeDate(cohortDays[k], 1);
            time.Now = BillingBench.At(day).AddHours(-3); // the scheduler's morning run
            billing.Emulator.Services.GetRequiredService<ApiLatency>().Delay = TimeSpan.FromMilliseconds(latencyMs);
            var callsBefore = await CallsAsync(billing.EmulatorHttp);
            var chargedBefore = await RenewalChargesAsync(billing.EmulatorHttp);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var run = Stopwatch.StartNew();
            var processed = (await Task.WhenAll(Enumerable.Range(0, workers).Select(_ =>
                new RenewalProcessor(db, stripe, new InvoiceSettlement(time), issuer, new ProMTA.Billing.Consolidation.ConsolidatedInvoices(issuer, time),
                        Options.Create(new BillingOptions()), time, NullLogger<RenewalProcessor>.Instance)
                    .RunAsync(day, CancellationToken.None)))).Sum();
            run.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var calls = (await CallsAsync(billing.EmulatorHttp)).Sum(c => c.Value) - callsBefore.Sum(c => c.Value);
            var charged = (await RenewalChargesAsync(billing.EmulatorHttp)).Skip(chargedBefore.Count).ToList();
            var failures = await CheckAsync(db, cohortDays[k], charged, options.Due);
            failed |= failures.Count > 0;
            Console.WriteLine($"| {workers} | {latencyMs} ms | {options.Due} | {processed} | {run.Elapsed.TotalSeconds:0.00} s | " +
                $"{run.Elapsed.TotalMilliseconds / Math.Max(1, processed):0.0} | {cpu.TotalSeconds:0.00} | {calls} | " +
                (failures.Count == 0 ? "each due service charged once, no other |" : "FAILED: " + string.Join("; ", failures) + " |"));
        }
        return failed ? 1 : 0;
    }

    /// <summary>
    /// Orders placed day by day at 10:00: each cohort of DUE on its day (renewed on its run's day), the others spread over
    /// the rest of January (renewed from 2 February on, 14 days before their periods start, after every run). Service i
    /// belongs to customer i % CUSTOMERS, so customers have one service or more.
    /// </summary>
    private static IEnumerable<OrderPlaced> Orders(BenchmarkOptions options, IReadOnlyList<DateOnly> cohortDays)
    {
        var customers = Enumerable.Range(0, options.Customers).Select(_ => Guid.NewGuid()).ToArray();
        var inCohorts = options.Due * cohortDays.Count;
        return Enumerable.Range(0, options.Services).Select(i =>
        {
            var orderedOn = i < inCohorts ? cohortDays[i / options.Due] : LastCohortDay.AddDays(1 + i % 16);
            return new OrderPlaced
            {
                OrderId = Guid.NewGuid(), ServiceId = Guid.NewGuid(), CustomerId = customers[i % customers.Length],
                CustomerEmail = $"customer{i % customers.Length}@scale.test", CustomerName = $"Customer {i % customers.Length}",
                ProductId = "promta-starter", ProductName = "ProMTA Starter", MonthlyPriceMinor = 14900, Currency = "EUR", DedicatedIps = 1,
                PaymentMethodId = "pm_card_visa", OrderedAt = BillingBench.At(orderedOn).AddHours(10),
            };
        }).ToList();
    }

    /// <summary>The run charged exactly its cohort, each once, and invoiced each once, paid.</summary>
    private static async Task<List<string>> CheckAsync(Database db, DateOnly cohortDay, IReadOnlyList<Guid> charged, int due)
    {
        var failures = new List<string>();
        await using var connection = await db.OpenAsync();
        var cohort = (await connection.QueryAsync<Guid>("SELECT service_id FROM billed_services WHERE ordered_on = @Day", new { Day = cohortDay })).ToHashSet();
        var invoices = await connection.QueryAsync<string>(
            "SELECT i.status FROM invoices i JOIN billed_services s USING (service_id) WHERE i.period_index = 1 AND s.ordered_on = @Day", new { Day = cohortDay });
        if (invoices.Count(status => status == "Paid") != due) failures.Add($"{invoices.Count()} period-1 invoices of the cohort, expected {due} paid");
        if (charged.Count != charged.Distinct().Count()) failures.Add($"{charged.Count - charged.Distinct().Count()} services charged twice");
        if (!charged.ToHashSet().SetEquals(cohort)) failures.Add($"{charged.Distinct().Count()} services charged, {cohort.Count} due");
        return failures;
    }

    /// <summary>The services of every successful renewal charge so far, in the ledger's order.</summary>
    private static async Task<List<Guid>> RenewalChargesAsync(HttpClient emulator)
    {
        var ledger = await emulator.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        return [.. ledger.GetProperty("data").EnumerateArray()
            .Where(e => e.GetProperty("status").GetString() == "succeeded" && e.GetProperty("metadata").TryGetProperty("period", out var p) && p.GetString() != "0")
            .Select(e => Guid.Parse(e.GetProperty("metadata").GetProperty("service_id").GetString()!))];
    }

    private static async Task<Dictionary<string, long>> CallsAsync(HttpClient emulator) =>
        (await emulator.GetFromJsonAsync<Dictionary<string, long>>("/_emulator/requests"))!;
}
