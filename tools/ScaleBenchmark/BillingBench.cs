using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProMTA.Billing;
using ProMTA.Billing.Catalogue;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Orders;
using ProMTA.Billing.Stripe;
using ProMTA.Billing.Vat;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;
using StripeEmulator;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// Billing's own classes over the benchmark's database and an in-process Stripe emulator (Stripe.net's real client):
/// what its OrderPlaced consumer runs to charge a first month, and what its scheduler runs to renew.
/// </summary>
internal sealed class BillingBench : IAsyncDisposable
{
    public static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
    private const int Lanes = 4;

    private readonly ServiceDatabaseHost database;

    private BillingBench(ServiceDatabaseHost database, WebApplication emulator)
    {
        this.database = database;
        Emulator = emulator;
        EmulatorHttp = new HttpClient { BaseAddress = emulator.GetBaseAddress() };
        Stripe = new StripePayments(new global::Stripe.StripeClient("sk_test_scale_benchmark", apiBase: emulator.GetBaseAddress().ToString().TrimEnd('/')));
        Issuer = new InvoiceIssuer(new VatRules(new VatOptions(), "NL"), Options.Create(new SellerOptions()));
        FirstMonth = new FirstMonthCharge(database.Db, Stripe, Issuer, new BillingCalendar(Amsterdam), Options.Create(new BillingOptions()), Time, NullLogger<FirstMonthCharge>.Instance);
    }

    public Database Db => database.Db;
    public WebApplication Emulator { get; }
    public HttpClient EmulatorHttp { get; }
    public StripePayments Stripe { get; }
    public InvoiceIssuer Issuer { get; }
    public SettableTime Time { get; } = new();
    public FirstMonthCharge FirstMonth { get; }

    public static async Task<BillingBench> StartAsync(string connectionString)
    {
        var database = await ServiceDatabaseHost.StartAsync(connectionString, "billing", typeof(BillingOptions).Assembly);
        var emulator = await StripeEmulatorApp.StartAsync("http://127.0.0.1:0", new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });
        var bench = new BillingBench(database, emulator);
        await using var work = await bench.Db.BeginAsync();
        foreach (var product in Catalogue) await BilledProducts.SaveAsync(work, product);
        await work.CommitAsync();
        return bench;
    }

    /// <summary>
    /// Charges each order's first month at its own time, in time order, <see cref="Lanes"/> at a time; a customer's
    /// orders in one lane, so its Stripe customer is created by the first and found by the next.
    /// </summary>
    public async Task ChargeFirstMonthsAsync(IEnumerable<OrderPlaced> orders)
    {
        foreach (var moment in orders.GroupBy(o => o.OrderedAt).OrderBy(g => g.Key))
        {
            Time.Now = moment.Key;
            await Parallel.ForEachAsync(moment.GroupBy(o => Math.Abs(o.CustomerId.GetHashCode() % Lanes)), async (lane, ct) =>
            {
                foreach (var order in lane)
                {
                    await FirstMonth.ChargeAsync(order, ct);
                }
            });
        }
    }

    public static DateTimeOffset At(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), Amsterdam.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue))).ToUniversalTime();

    public async ValueTask DisposeAsync()
    {
        EmulatorHttp.Dispose();
        await Emulator.DisposeAsync();
        await database.DisposeAsync();
    }

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

/// <summary>The benchmark's clock: the seeding walks its days, each run starts on its own morning, not in time order.</summary>
internal sealed class SettableTime : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}
