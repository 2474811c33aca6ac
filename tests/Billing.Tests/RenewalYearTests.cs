using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Stripe;
using ProMTA.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.Billing.Tests;

/// <summary>
/// A simulated year of renewals on real PostgreSQL and the Stripe emulator (through Stripe.net), with the clock
/// moved day by day: every period is invoiced and charged exactly once, nothing is charged after a cancellation
/// deadline, invoice numbers have no gaps.
/// </summary>
public sealed class RenewalYearTests(PostgresFixture postgres, StripeEmulatorFixture emulator, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<StripeEmulatorFixture>
{
    private const int Services = 1000;
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
    private static readonly DateOnly FirstOrder = new(2027, 1, 1);
    private static readonly DateOnly SimulationEnd = new(2028, 1, 31);
    private StripePayments stripe => emulator.Payments;

    [Fact]
    public async Task A_year_of_renewals_charges_every_period_once_and_nothing_after_a_cancellation()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        var calendar = new BillingCalendar(Amsterdam);
        var policy = new CancellationPolicy(calendar);
        var time = new FakeTimeProvider(At(FirstOrder).AddHours(-4));
        var processor = BillingSeed.Renewals(db, stripe, time);
        var random = new Random(20270101);

        var services = await SeedAsync(db, random);
        var cancellations = services.Where((_, i) => i % 10 == 3)
            .ToDictionary(s => s.ServiceId, s => At(s.OrderedOn.AddDays(random.Next(20, 300))).AddHours(random.Next(0, 13))); // 09:00 to 21:00 local

        var stopwatch = Stopwatch.StartNew();
        var renewals = 0;
        for (var day = FirstOrder; day <= SimulationEnd; day = day.AddDays(1))
        {
            // The scheduler's morning run, then the customers' cancellations of the day in time order.
            time.SetUtcNow(At(day).AddHours(-3));
            renewals += await processor.RunAsync(day, CancellationToken.None);
            foreach (var (serviceId, at) in cancellations.Where(c => calendar.LocalDate(c.Value) == day).OrderBy(c => c.Value))
            {
                time.SetUtcNow(at);
                await CancelAsync(db, policy, services.Single(s => s.ServiceId == serviceId), at);
            }
        }
        output.WriteLine($"{Services} services, {renewals} renewal steps over {SimulationEnd.DayNumber - FirstOrder.DayNumber + 1} days: {stopwatch.Elapsed.TotalSeconds:0.0} s");

        await using var connection = await db.OpenAsync();
        var invoices = (await connection.QueryAsync<(Guid ServiceId, int PeriodIndex, long Number, string Status)>(
            "SELECT service_id, period_index, number, status FROM invoices")).ToList();
        var lastDays = (await connection.QueryAsync<(Guid ServiceId, DateOnly? LastDay)>("SELECT service_id, last_day FROM billed_services"))
            .ToDictionary(r => r.ServiceId, r => r.LastDay);
        var ledger = await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        var charges = ledger.GetProperty("data").EnumerateArray().Where(e => e.GetProperty("status").GetString() == "succeeded"
                && e.GetProperty("metadata").TryGetProperty("period", out _) && e.GetProperty("metadata").TryGetProperty("service_id", out _))
            .Select(e => (ServiceId: Guid.Parse(e.GetProperty("metadata").GetProperty("service_id").GetString()!), Period: int.Parse(e.GetProperty("metadata").GetProperty("period").GetString()!)))
            .ToList();

        foreach (var service in services)
        {
            var lastDay = lastDays[service.ServiceId];
            var expected = Enumerable.Range(1, 20)
                .Where(n => BillingCalendar.ChargeDate(service.OrderedOn, n) <= SimulationEnd)
                .Where(n => lastDay is null || BillingCalendar.PeriodStart(service.OrderedOn, n) <= lastDay)
                .ToList();
            var invoiced = invoices.Where(i => i.ServiceId == service.ServiceId && i.PeriodIndex > 0).Select(i => i.PeriodIndex).Order().ToList();
            Assert.Equal(expected, invoiced);
            Assert.All(invoices.Where(i => i.ServiceId == service.ServiceId), i => Assert.Equal("Paid", i.Status));
            Assert.Equal(expected, charges.Where(c => c.ServiceId == service.ServiceId).Select(c => c.Period).Order().ToList());
        }
        Assert.Equal(Enumerable.Range(1, invoices.Count).Select(n => (long)n), invoices.Select(i => i.Number).Order());
    }

    private sealed record SeededService(Guid ServiceId, Guid CustomerId, DateOnly OrderedOn);

    /// <summary>Services ordered on every day of January (the 29th-31st included), each paid for its first month.</summary>
    private async Task<List<SeededService>> SeedAsync(ProMTA.ServiceDefaults.Data.Database db, Random random)
    {
        var seeded = new List<SeededService>();
        for (var i = 0; i < Services; i++)
        {
            var customerId = Guid.NewGuid();
            var serviceId = Guid.NewGuid();
            var orderedOn = FirstOrder.AddDays(i % 31);
            var stripeCustomer = await stripe.CreateCustomerAsync(customerId, $"c{i}@example.test", $"Customer {i}", CancellationToken.None);
            var card = await stripe.AttachPaymentMethodAsync(stripeCustomer, "pm_card_visa", serviceId.ToString(), CancellationToken.None);
            await using var work = await db.BeginAsync();
            await BillingSeed.AccountWithActiveStarterAsync(work, customerId, stripeCustomer, serviceId, orderedOn, card, At(orderedOn));
            var invoiceId = Guid.NewGuid();
            await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, serviceId, customerId, 0, orderedOn,
                BillingCalendar.PeriodEnd(orderedOn, 0), 14900, "EUR", At(orderedOn)));
            await BillingRepository.MarkPaidAsync(work, invoiceId, $"pi_seed_{i}", At(orderedOn));
            await work.CommitAsync();
            seeded.Add(new SeededService(serviceId, customerId, orderedOn));
        }
        return seeded;
    }

    /// <summary>What POST /api/services/{id}/cancellation does, at a chosen moment.</summary>
    private static async Task CancelAsync(ProMTA.ServiceDefaults.Data.Database db, CancellationPolicy policy, SeededService service, DateTimeOffset at)
    {
        await using var work = await db.BeginAsync();
        var found = await CancellationRepository.FindForUpdateAsync(work, service.CustomerId, service.ServiceId);
        Assert.NotNull(found);
        var outcome = policy.Decide(found.OrderedOn, at);
        await CancellationRepository.CancelAsync(work, service.ServiceId, at, outcome.LastDay, outcome.ChargedAgain);
        await work.CommitAsync();
    }

    /// <summary>09:00 in Amsterdam on <paramref name="day"/>, as the UTC instant our code always works with.</summary>
    private static DateTimeOffset At(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), Amsterdam.GetUtcOffset(day.ToDateTime(new TimeOnly(9, 0)))).ToUniversalTime();
}
