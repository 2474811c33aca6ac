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
        var changer = BillingSeed.PlanChanger(db, stripe, time, Amsterdam);
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
                else changes.Add((serviceId, at, await ChangePlanAsync(changer, service, productId)));
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
    /// Consolidated billing in the same year (issue 17, section 5): 60 customers approved for bank transfer, each with 2
    /// or 3 services ordered on any day of January, choose a common day (1-28) on a day between February and June; one
    /// service in five is cancelled some day, one customer in four upgrades a service, one in three orders one more
    /// service after choosing (it joins the day). Staff mark every transfer invoice paid the day it is issued. Every
    /// period of every service is then invoiced exactly once (on its own invoice or on one line of a consolidated one),
    /// with the dates of its calendar, so the periods follow each other without gap or overlap; every shortened period
    /// is priced pro rata; every consolidated line starts on the customer's day; numbers stay gapless.
    /// </summary>
    [Fact]
    public async Task A_year_with_consolidated_customers_invoices_every_period_of_every_service_once()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        var calendar = new BillingCalendar(Amsterdam);
        var policy = new CancellationPolicy(calendar);
        var time = new FakeTimeProvider(At(FirstOrder).AddHours(-4));
        var processor = BillingSeed.Renewals(db, stripe, time);
        var changer = BillingSeed.PlanChanger(db, stripe, time, Amsterdam);
        var days = new Consolidation.BillingDayChanger(time);
        var orders = new Orders.FirstMonthCharge(db, stripe, BillingSeed.Issuer(), calendar, Microsoft.Extensions.Options.Options.Create(new BillingOptions()), time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Orders.FirstMonthCharge>.Instance);
        var staff = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()),
             new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, ServiceDefaults.Auth.Roles.Operator)], "test"));
        var random = new Random(20270102);

        // Customers and their first services, paid for their first month.
        var customers = new List<(Guid CustomerId, string StripeCustomer, string Card, List<SeededService> Services)>();
        await using (var work = await db.BeginAsync())
        {
            await BillingSeed.CatalogueAsync(work);
            await work.CommitAsync();
        }
        for (var c = 0; c < 60; c++)
        {
            var customerId = Guid.NewGuid();
            var stripeCustomer = await stripe.CreateCustomerAsync(customerId, $"t{c}@example.test", $"Transfer {c}", CancellationToken.None);
            var card = await stripe.AttachPaymentMethodAsync(stripeCustomer, "pm_card_visa", customerId.ToString(), CancellationToken.None);
            var services = new List<SeededService>();
            await using var work = await db.BeginAsync();
            await BillingRepository.AddAccountAsync(work, customerId, stripeCustomer, At(FirstOrder));
            for (var n = 0; n < 2 + c % 2; n++)
            {
                var serviceId = Guid.NewGuid();
                var orderedOn = FirstOrder.AddDays(random.Next(0, 31));
                await BillingRepository.AddServiceAsync(work, BillingSeed.ActiveStarter(serviceId, customerId, orderedOn, orderedOn.Day, card, At(orderedOn)));
                await BillingSeed.LiveAsync(work, serviceId, At(orderedOn).AddHours(1));
                var invoiceId = Guid.NewGuid();
                await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, serviceId, customerId, 0, orderedOn,
                    BillingCalendar.PeriodEnd(orderedOn, 0), 14900, "EUR", At(orderedOn)));
                await BillingRepository.MarkPaidAsync(work, invoiceId, $"pi_seed_{serviceId:N}", At(orderedOn));
                services.Add(new SeededService(serviceId, customerId, orderedOn));
            }
            await BankTransferRepository.ApproveAsync(work, customerId, Guid.NewGuid(), At(FirstOrder), "several services, pays by transfer");
            await work.CommitAsync();
            customers.Add((customerId, stripeCustomer, card, services));
        }

        // What each customer does when (local day, after the morning run and the staff's payments).
        var actions = new List<(DateOnly Day, int Order, Func<Task> Act)>();
        var chosenOn = new Dictionary<Guid, DateOnly>();
        var upgraded = new HashSet<Guid>();
        var cancelledServices = 0;
        var refusedDays = 0;
        foreach (var (customerId, stripeCustomer, card, services) in customers)
        {
            var chooseOn = new DateOnly(2027, 2, 1).AddDays(random.Next(0, 150));
            var day = random.Next(1, 29);
            chosenOn[customerId] = chooseOn;
            actions.Add((chooseOn, 0, async () =>
            {
                await using var work = await db.BeginAsync();
                if (await days.ChooseAsync(work, customerId, day) is null) await work.CommitAsync();
                else refusedDays++;
            }));
            foreach (var service in services.Where(_ => random.Next(5) == 0))
            {
                var on = service.OrderedOn.AddDays(random.Next(20, 330));
                cancelledServices++;
                actions.Add((on, 1, async () =>
                {
                    await using var work = await db.BeginAsync();
                    var found = await CancellationRepository.FindForUpdateAsync(work, customerId, service.ServiceId);
                    if (found!.LastDay is not null) return;
                    var outcome = policy.Decide(found.Calendar, time.GetUtcNow());
                    await CancellationRepository.CancelAsync(work, service.ServiceId, time.GetUtcNow(), outcome.LastDay, outcome.ChargedAgain);
                    await work.CommitAsync();
                }));
            }
            if (random.Next(4) == 0)
            {
                var service = services[0];
                actions.Add((chooseOn.AddDays(random.Next(1, 120)), 2, async () =>
                {
                    var outcome = await changer.ApplyAsync(customerId, service.ServiceId, "promta-business", CancellationToken.None);
                    if (outcome is PlanChanges.PlanChangeOutcome.Done) upgraded.Add(service.ServiceId);
                }));
            }
            if (random.Next(3) == 0)
            {
                actions.Add((chooseOn.AddDays(random.Next(1, 60)), 3, async () =>
                {
                    var order = new Contracts.Ordering.OrderPlaced
                    {
                        OrderId = Guid.NewGuid(), ServiceId = Guid.NewGuid(), CustomerId = customerId, CustomerEmail = "finance@example.test",
                        CustomerName = "Finance", ProductId = "promta-starter", ProductName = "ProMTA Starter", MonthlyPriceMinor = 14900, Currency = "EUR",
                        DedicatedIps = 1, PaymentMethodId = "pm_card_visa", OrderedAt = time.GetUtcNow(),
                    };
                    await orders.ChargeAsync(order, CancellationToken.None);
                    services.Add(new SeededService(order.ServiceId, customerId, calendar.LocalDate(order.OrderedAt)));
                }));
            }
        }

        var stopwatch = Stopwatch.StartNew();
        for (var day = FirstOrder; day <= SimulationEnd; day = day.AddDays(1))
        {
            time.SetUtcNow(At(day).AddHours(-3));
            await processor.RunAsync(day, CancellationToken.None);
            await PayTransfersAsync(db, staff, time);
            time.SetUtcNow(At(day).AddHours(1));
            foreach (var (_, _, act) in actions.Where(a => a.Day == day).OrderBy(a => a.Order).ToList()) await act();
        }
        output.WriteLine($"60 customers, {customers.Sum(c => c.Services.Count)} services ({cancelledServices} cancellations, {upgraded.Count} upgrades, "
            + $"{refusedDays} day choices refused): {stopwatch.Elapsed.TotalSeconds:0.0} s");

        await using var connection = await db.OpenAsync();
        var rows = (await connection.QueryAsync<(Guid ServiceId, int PeriodIndex, DateOnly Start, DateOnly End, long Net, string Status, string Source)>("""
            SELECT service_id, period_index, period_start, period_end, net_minor, status, 'invoice' FROM invoices WHERE kind = 'Period'
            UNION ALL
            SELECT l.service_id, l.period_index, l.period_start, l.period_end, l.net_minor, i.status, 'line'
            FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            """)).ToList();
        var state = (await connection.QueryAsync<DueService>("""
            SELECT s.*, a.stripe_customer_id FROM billed_services s JOIN billing_accounts a USING (customer_id)
            """)).ToDictionary(s => s.ServiceId);
        var dayOf = (await connection.QueryAsync<(Guid CustomerId, int? Day)>("SELECT customer_id, consolidated_day FROM billing_accounts"))
            .ToDictionary(r => r.CustomerId, r => r.Day);

        var consolidatedLines = 0;
        var transitions = 0;
        foreach (var service in customers.SelectMany(c => c.Services))
        {
            var s = state[service.ServiceId];
            var periods = s.Calendar;
            var expected = Enumerable.Range(0, 20)
                .Where(n => periods.ChargeDate(n) <= SimulationEnd)
                .Where(n => s.LastDay is null || periods.PeriodStart(n) <= s.LastDay)
                .ToList();
            var invoiced = rows.Where(r => r.ServiceId == service.ServiceId).OrderBy(r => r.PeriodIndex).ToList();
            Assert.Equal(expected, invoiced.Select(r => r.PeriodIndex).ToList()); // each period exactly once
            Assert.All(invoiced, r => Assert.Equal((periods.PeriodStart(r.PeriodIndex), periods.PeriodEnd(r.PeriodIndex), "Paid"), (r.Start, r.End, r.Status)));
            if (!upgraded.Contains(service.ServiceId))
            {
                Assert.All(invoiced, r => Assert.Equal(periods.PeriodPrice(r.PeriodIndex, 14900), r.Net));
            }
            foreach (var line in invoiced.Where(r => r.Source == "line"))
            {
                Assert.Equal(dayOf[service.CustomerId], line.Start.Day);
                consolidatedLines++;
            }
            transitions += invoiced.Count(r => periods.IsTransition(r.PeriodIndex) && periods.Days(r.PeriodIndex) != periods.MonthDays(r.PeriodIndex));
        }
        output.WriteLine($"{consolidatedLines} consolidated lines on {await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices WHERE kind = 'Consolidated'")} invoices, {transitions} shortened periods");
        Assert.True(consolidatedLines > 500);
        Assert.True(transitions > 50);
        // A consolidated invoice's totals are its lines'.
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM invoices i WHERE kind = 'Consolidated' AND (net_minor, vat_minor) <>
                (SELECT sum(net_minor)::bigint, sum(vat_minor)::bigint FROM invoice_lines l WHERE l.invoice_id = i.id)
            """));
        var numbers = (await connection.QueryAsync<long>("SELECT number FROM invoices ORDER BY number")).ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count).Select(n => (long)n), numbers);
    }

    private static async Task PayTransfersAsync(ProMTA.ServiceDefaults.Data.Database db, System.Security.Claims.ClaimsPrincipal staff, TimeProvider time)
    {
        await using var connection = await db.OpenAsync();
        var open = await connection.QueryAsync<Guid>("SELECT id FROM invoices WHERE status = 'Open' AND payment_method = 'bank_transfer' ORDER BY number");
        foreach (var id in open)
        {
            var result = await Apis.BankTransferApi.MarkPaidAsync(id, staff, db, new Renewals.InvoiceSettlement(time), CancellationToken.None);
            Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.NoContent>(result.Result);
        }
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
    private static async Task<PlanChanges.PlanChangeOutcome> ChangePlanAsync(PlanChanges.PlanChanger changer,
        SeededService service, string productId)
    {
        return await changer.ApplyAsync(service.CustomerId, service.ServiceId, productId, CancellationToken.None);
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
