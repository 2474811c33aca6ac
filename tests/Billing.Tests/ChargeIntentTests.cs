using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ProMTA.Billing.Charges;
using ProMTA.Billing.Data;
using ProMTA.Billing.Orders;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>
/// Charges are made outside any transaction (intent committed, Stripe called, result committed): a crash between the
/// Stripe call and the result's commit, then a rerun, still gives exactly one charge per service and period, one
/// invoice, and invoice numbers without a gap or a duplicate (rule 14: an accountant checks the series).
/// The crash is a real failure of the result's transaction: a trigger makes PostgreSQL refuse the invoice's insert.
/// </summary>
public sealed class ChargeIntentTests(PostgresFixture postgres, StripeEmulatorFixture emulator)
    : IClassFixture<PostgresFixture>, IClassFixture<StripeEmulatorFixture>
{
    private static readonly DateOnly OrderedOn = new(2027, 3, 20);

    [Fact]
    public async Task A_first_month_whose_result_crashed_is_charged_once_and_invoiced_once_when_the_order_is_redelivered()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        await stack.PlaceOrderAsync(customerId, "pm_card_visa", DateTimeOffset.UtcNow);

        await CrashBeforeInvoicesAsync(stack.Database);
        var order = Order(customerId);
        await Assert.ThrowsAsync<PostgresException>(() => stack.Service<FirstMonthCharge>().ChargeAsync(order, CancellationToken.None));
        Assert.Equal(1, await SucceededChargesAsync(stack.Emulator, order.ServiceId, "0"));
        Assert.Equal(0, await stack.ScalarAsync<long>("SELECT count(*) FROM invoices WHERE service_id = @ServiceId", new { order.ServiceId }));

        await RecoverAsync(stack.Database);
        // What OrderPlacedConsumer does when the message comes again: its inbox row is there, the intent still pending.
        await stack.Service<FirstMonthCharge>().CompleteAsync(order.OrderId, CancellationToken.None);
        await stack.Service<FirstMonthCharge>().CompleteAsync(order.OrderId, CancellationToken.None); // and once more: nothing new

        Assert.Equal(1, await SucceededChargesAsync(stack.Emulator, order.ServiceId, "0"));
        Assert.Equal("Paid", await stack.ScalarAsync<string>("SELECT status FROM invoices WHERE service_id = @ServiceId", new { order.ServiceId }));
        Assert.Equal(1, await stack.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PaymentSucceeded' AND body->>'orderId' = @Id::text", new { Id = order.OrderId }));
        await AssertGaplessAsync(stack.Database, expected: 2);
    }

    [Fact]
    public async Task A_first_month_left_pending_by_a_crash_is_completed_by_the_recovery_once_its_lease_has_passed()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        await CrashBeforeInvoicesAsync(stack.Database);
        var order = Order(Guid.NewGuid());
        await Assert.ThrowsAsync<PostgresException>(() => stack.Service<FirstMonthCharge>().ChargeAsync(order, CancellationToken.None));
        await RecoverAsync(stack.Database);

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var recovery = new ChargeIntentRecovery(stack.Database, stack.Service<FirstMonthCharge>(), stack.Service<PlanChanges.UpgradeCharge>(),
            stack.Service<MigrationState>(), Options.Create(new ChargeIntentRecoveryOptions()), time, NullLogger<ChargeIntentRecovery>.Instance);
        await recovery.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, await stack.ScalarAsync<long>("SELECT count(*) FROM invoices"));  // the worker may still be on it

        time.Advance(ChargeIntents.Lease + TimeSpan.FromMinutes(1));
        await recovery.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, await SucceededChargesAsync(stack.Emulator, order.ServiceId, "0"));
        Assert.Equal("Active", await stack.ScalarAsync<string>("SELECT billing_status FROM billed_services WHERE service_id = @ServiceId", new { order.ServiceId }));
        await AssertGaplessAsync(stack.Database, expected: 1);
    }

    [Fact]
    public async Task A_renewal_whose_result_crashed_is_charged_once_and_invoiced_once_on_the_run_after_its_lease()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var (first, firstCustomer) = await SeedAsync(host);
        var (second, secondCustomer) = await SeedAsync(host);
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 4, 6, 5, 0, 0, TimeSpan.Zero));
        var day = new DateOnly(2027, 4, 6); // both renew period 1 today, 14 days ahead
        var renewals = BillingSeed.Renewals(host.Database, emulator.Payments, time);

        await CrashBeforeInvoicesAsync(host.Database);
        await Assert.ThrowsAsync<PostgresException>(() => renewals.RunAsync(day, CancellationToken.None));
        var crashed = await ChargedServicesAsync();
        var crashedService = Assert.Single(crashed.Intersect([first, second]));
        await RecoverAsync(host.Database);

        // Until its result is recorded, the service's plan cannot change: the period would keep the old price, unprorated.
        var outcome = await BillingSeed.PlanChanger(host.Database, emulator.Payments, time, TimeZoneInfo.Utc).ApplyAsync(
            crashedService == first ? firstCustomer : secondCustomer, crashedService, "promta-business", CancellationToken.None);
        Assert.Equal("Renewal under way", Assert.IsType<PlanChanges.PlanChangeOutcome.Refused>(outcome).Refusal.Title);

        // The same day, within the lease: the other service renews; the crashed one is left to its (dead) worker.
        await renewals.RunAsync(day, CancellationToken.None);
        await using (var connection = await host.Database.OpenAsync())
        {
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices"));
        }
        // The next run after the lease takes it up with the same key: Stripe answers the first payment.
        time.Advance(ChargeIntents.Lease + TimeSpan.FromMinutes(1));
        await renewals.RunAsync(day, CancellationToken.None);

        foreach (var service in new[] { first, second })
        {
            Assert.Equal(1, (await ChargedServicesAsync()).Count(s => s == service));
            await using var connection = await host.Database.OpenAsync();
            Assert.Equal("Paid", await connection.ExecuteScalarAsync<string>(
                "SELECT status FROM invoices WHERE service_id = @service AND period_index = 1", new { service }));
            Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT next_period FROM billed_services WHERE service_id = @service", new { service }));
        }
        await AssertGaplessAsync(host.Database, expected: 2);
        await using (var connection = await host.Database.OpenAsync())
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM charge_intents WHERE completed_at IS NULL"));
        }
    }

    private async Task<(Guid ServiceId, Guid CustomerId)> SeedAsync(ServiceDatabaseHost host)
    {
        var customerId = Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        var stripeCustomer = await emulator.Payments.CreateCustomerAsync(customerId, "intent@example.test", "Intent", CancellationToken.None);
        var card = await emulator.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_visa", serviceId.ToString(), CancellationToken.None);
        await host.Database.WriteAsync(work => BillingSeed.AccountWithActiveStarterAsync(work, customerId, stripeCustomer, serviceId, OrderedOn, card,
            new DateTimeOffset(2027, 3, 20, 9, 0, 0, TimeSpan.Zero)));
        return (serviceId, customerId);
    }

    private static Contracts.Ordering.OrderPlaced Order(Guid customerId) => new()
    {
        OrderId = Guid.NewGuid(), ServiceId = Guid.NewGuid(), CustomerId = customerId, CustomerEmail = "jane@example.test", CustomerName = "Jane Doe",
        ProductId = "promta-business", ProductName = "ProMTA Business", MonthlyPriceMinor = 14900, Currency = "EUR", DedicatedIps = 4,
        PaymentMethodId = "pm_card_visa", OrderedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The services of every renewal payment the emulator took, once per payment.</summary>
    private async Task<List<Guid>> ChargedServicesAsync()
    {
        var ledger = await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        return [.. ledger.GetProperty("data").EnumerateArray()
            .Where(e => e.GetProperty("status").GetString() == "succeeded" && e.GetProperty("metadata").GetProperty("period").GetString() == "1")
            .Select(e => Guid.Parse(e.GetProperty("metadata").GetProperty("service_id").GetString()!))];
    }

    private static async Task<int> SucceededChargesAsync(HttpClient stripe, Guid serviceId, string period)
    {
        var ledger = await stripe.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        return ledger.GetProperty("data").EnumerateArray().Count(e => e.GetProperty("status").GetString() == "succeeded"
            && e.GetProperty("metadata").GetProperty("service_id").GetString() == serviceId.ToString()
            && e.GetProperty("metadata").GetProperty("period").GetString() == period);
    }

    /// <summary>Rule 14: the invoices are numbered 1..n, each number once, and the counter used no other.</summary>
    private static async Task AssertGaplessAsync(Database db, int expected)
    {
        await using var connection = await db.OpenAsync();
        var numbers = (await connection.QueryAsync<long>("SELECT number FROM invoices ORDER BY number")).ToList();
        Assert.Equal(Enumerable.Range(1, expected).Select(n => (long)n), numbers);
        Assert.Equal(expected, await connection.ExecuteScalarAsync<long>("SELECT last_number FROM invoice_counter"));
    }

    /// <summary>The next result transaction fails as if its worker died before committing: PostgreSQL refuses the invoice.</summary>
    internal static async Task CrashBeforeInvoicesAsync(Database db)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("""
            CREATE FUNCTION crash_before_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the worker crashed before the result committed'; END $$;
            CREATE TRIGGER crash_before_invoice BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION crash_before_invoice();
            """);
    }

    internal static async Task RecoverAsync(Database db)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("DROP TRIGGER crash_before_invoice ON invoices; DROP FUNCTION crash_before_invoice();");
    }
}
