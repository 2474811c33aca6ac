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
/// deadline, invoice numbers have no gaps. Plan changes are mixed in (issue 17): one service in ten upgrades to
/// Business, one in ten goes to Enterprise and later down to Business, and the cancelled ones try an upgrade too
/// (refused once cancelled). Every period is then charged at the price of the plan in force on its charge day, each
/// applied upgrade is charged once with its own proration invoice, and each downgrade applies on its day.
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
        var planRequests = PlanRequests(services, random);
        var changer = BillingSeed.PlanChanger(stripe, time, Amsterdam);
        var downgrades = BillingSeed.Downgrades(db, time);
        var changes = new List<(Guid ServiceId, DateTimeOffset At, PlanChanges.PlanChangeOutcome Outcome)>();
        var switched = 0;

        var stopwatch = Stopwatch.StartNew();
        var renewals = 0;
        for (var day = FirstOrder; day <= SimulationEnd; day = day.AddDays(1))
        {
            // The scheduler's morning run, then the customers' cancellations of the day in time order.
            time.SetUtcNow(At(day).AddHours(-3));
            renewals += await processor.RunAsync(day, CancellationToken.None);
            switched += await downgrades.RunAsync(day, CancellationToken.None);
            var todays = cancellations.Where(c => calendar.LocalDate(c.Value) == day).Select(c => (c.Key, c.Value, ProductId: (string?)null))
                .Concat(planRequests.Where(r => calendar.LocalDate(r.At) == day).Select(r => (r.ServiceId, r.At, ProductId: (string?)r.ProductId)));
            foreach (var (serviceId, at, productId) in todays.OrderBy(e => e.Item2))
            {
                time.SetUtcNow(at);
                var service = services.Single(s => s.ServiceId == serviceId);
                if (productId is null) await CancelAsync(db, policy, service, at);
                else changes.Add((serviceId, at, await ChangePlanAsync(db, changer, service, productId)));
            }
        }
        output.WriteLine($"{Services} services, {renewals} renewal steps over {SimulationEnd.DayNumber - FirstOrder.DayNumber + 1} days: {stopwatch.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"{changes.Count} plan changes asked: " + string.Join(", ", changes.GroupBy(c => Describe(c.Outcome)).Select(g => $"{g.Count()} {g.Key}"))
            + $"; {switched} downgrades applied on their day");

        await using var connection = await db.OpenAsync();
        var allInvoices = (await connection.QueryAsync<(Guid ServiceId, int PeriodIndex, long Number, string Status, string Kind, long NetMinor, long AmountMinor)>(
            "SELECT service_id, period_index, number, status, kind, net_minor, amount_minor FROM invoices")).ToList();
        var invoices = allInvoices.Where(i => i.Kind == "Period").ToList();
        var prorations = allInvoices.Where(i => i.Kind == "Proration").ToList();
        var lastDays = (await connection.QueryAsync<(Guid ServiceId, DateOnly? LastDay)>("SELECT service_id, last_day FROM billed_services"))
            .ToDictionary(r => r.ServiceId, r => r.LastDay);
        var ledger = await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        var charges = ledger.GetProperty("data").EnumerateArray().Where(e => e.GetProperty("status").GetString() == "succeeded"
                && e.GetProperty("metadata").TryGetProperty("period", out _) && e.GetProperty("metadata").TryGetProperty("service_id", out _))
            .Select(e => (ServiceId: Guid.Parse(e.GetProperty("metadata").GetProperty("service_id").GetString()!), Period: int.Parse(e.GetProperty("metadata").GetProperty("period").GetString()!)))
            .ToList();
        var prorationCharges = ledger.GetProperty("data").EnumerateArray().Where(e => e.GetProperty("status").GetString() == "succeeded"
                && e.GetProperty("metadata").TryGetProperty("plan_change", out _))
            .Select(e => (ServiceId: Guid.Parse(e.GetProperty("metadata").GetProperty("service_id").GetString()!), Amount: e.GetProperty("amount").GetInt64()))
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

            // Each period at the net price of the plan in force when it was charged (the day's changes come after the morning run).
            var applied = changes.Where(c => c.ServiceId == service.ServiceId && c.Outcome is PlanChanges.PlanChangeOutcome.Done).ToList();
            foreach (var invoice in invoices.Where(i => i.ServiceId == service.ServiceId && i.PeriodIndex > 0))
            {
                var chargedOn = BillingCalendar.ChargeDate(service.OrderedOn, invoice.PeriodIndex);
                var price = 14900L;
                foreach (var (_, at, outcome) in applied.Where(c => calendar.LocalDate(c.At) < chargedOn))
                {
                    var change = ((PlanChanges.PlanChangeOutcome.Done)outcome).Result.Change;
                    if (change.Kind == "Upgrade" || change.EffectiveOn <= BillingCalendar.PeriodStart(service.OrderedOn, invoice.PeriodIndex))
                    {
                        price = (long)(change.NewMonthlyPrice * 100);
                    }
                }
                Assert.Equal(price, invoice.NetMinor);
            }
            // Each applied upgrade: one proration invoice, paid, charged once for exactly its amount.
            var upgrades = applied.Select(c => ((PlanChanges.PlanChangeOutcome.Done)c.Outcome).Result).Where(r => r.Change.Kind == "Upgrade").ToList();
            Assert.Equal(upgrades.Select(u => (long)(u.Change.AmountNow * 100)).Order(),
                prorations.Where(p => p.ServiceId == service.ServiceId).Select(p => p.AmountMinor).Order());
            Assert.Equal(upgrades.Select(u => (long)(u.Change.AmountNow * 100)).Order(),
                prorationCharges.Where(c => c.ServiceId == service.ServiceId).Select(c => c.Amount).Order());
        }
        Assert.All(prorations, p => Assert.Equal("Paid", p.Status));
        Assert.Equal(Enumerable.Range(1, allInvoices.Count).Select(n => (long)n), allInvoices.Select(i => i.Number).Order());
        // Every kind of outcome happened, and every downgrade due within the year was applied on its day.
        Assert.Contains(changes, c => c.Outcome is PlanChanges.PlanChangeOutcome.Done { Result.Change.Kind: "Upgrade" });
        Assert.Contains(changes, c => c.Outcome is PlanChanges.PlanChangeOutcome.Done { Result.Change.Kind: "Downgrade" });
        Assert.Contains(changes, c => c.Outcome is PlanChanges.PlanChangeOutcome.Refused { Refusal.Title: "Cancellation scheduled" });
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM plan_changes c JOIN billed_services s USING (service_id) WHERE c.status = 'Scheduled' AND c.effective_on <= @End AND s.billing_status <> 'Ended'",
            new { End = SimulationEnd }));
    }

    /// <summary>
    /// Who asks for which plan when: i % 10 == 5 upgrade to Business; i % 10 == 7 go to Enterprise, then down to Business
    /// 10 to 100 days later; the cancelled ones (i % 10 == 3) ask for Business some day, before or after they cancel.
    /// </summary>
    private static List<(Guid ServiceId, DateTimeOffset At, string ProductId)> PlanRequests(List<SeededService> services, Random random)
    {
        var requests = new List<(Guid, DateTimeOffset, string)>();
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            DateTimeOffset Someday(int from, int to) => At(service.OrderedOn.AddDays(random.Next(from, to))).AddHours(random.Next(0, 13));
            if (i % 10 == 5) requests.Add((service.ServiceId, Someday(1, 330), "promta-business"));
            if (i % 10 == 3) requests.Add((service.ServiceId, Someday(1, 330), "promta-business"));
            if (i % 10 == 7)
            {
                var up = Someday(1, 200);
                requests.Add((service.ServiceId, up, "promta-enterprise"));
                requests.Add((service.ServiceId, up.AddDays(random.Next(10, 100)), "promta-business"));
            }
        }
        return requests;
    }

    /// <summary>What POST /api/services/{id}/plan-change does, at the fake clock's time.</summary>
    private static async Task<PlanChanges.PlanChangeOutcome> ChangePlanAsync(ProMTA.ServiceDefaults.Data.Database db, PlanChanges.PlanChanger changer,
        SeededService service, string productId)
    {
        await using var work = await db.BeginAsync();
        var outcome = await changer.ApplyAsync(work, service.CustomerId, service.ServiceId, productId, CancellationToken.None);
        if (outcome is PlanChanges.PlanChangeOutcome.Done or PlanChanges.PlanChangeOutcome.Declined) await work.CommitAsync();
        return outcome;
    }

    private static string Describe(PlanChanges.PlanChangeOutcome outcome) => outcome switch
    {
        PlanChanges.PlanChangeOutcome.Done d => $"{d.Result.Change.Kind} {d.Result.Status}",
        PlanChanges.PlanChangeOutcome.Refused r => $"refused ({r.Refusal.Title})",
        _ => outcome.GetType().Name,
    };

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
            if (i == 0) await BillingSeed.CatalogueAsync(work);
            await BillingSeed.AccountWithActiveStarterAsync(work, customerId, stripeCustomer, serviceId, orderedOn, card, At(orderedOn));
            await BillingSeed.LiveAsync(work, serviceId, At(orderedOn).AddHours(1));
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
