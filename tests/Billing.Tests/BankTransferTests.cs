using Dapper;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Renewals;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>Rule 8: bank transfer only with more than one service and an approval; back to card with one.</summary>
public sealed class BankTransferTests(PostgresFixture postgres, StripeEmulatorFixture emulator)
    : IClassFixture<PostgresFixture>, IClassFixture<StripeEmulatorFixture>
{
    private static readonly DateOnly OrderedOn = new(2027, 5, 10);
    private static readonly DateTimeOffset At = new(2027, 5, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_approved_customer_with_two_services_pays_by_transfer_and_goes_back_to_card_with_one()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var db = host.Database;
        var customerId = Guid.NewGuid();
        var stripeCustomer = await emulator.Payments.CreateCustomerAsync(customerId, "transfer@example.test", "Transfer", CancellationToken.None);
        var card = await emulator.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_visa", customerId.ToString(), CancellationToken.None);
        Guid first = Guid.NewGuid(), second = Guid.NewGuid(), manager = Guid.NewGuid();
        await using (var work = await db.BeginAsync())
        {
            await BillingRepository.AddAccountAsync(work, customerId, stripeCustomer, At);
            Assert.Equal(0, await BankTransferRepository.RunningServicesAsync(work, customerId));
            foreach (var serviceId in new[] { first, second })
            {
                await BillingRepository.AddServiceAsync(work, BillingSeed.ActiveStarter(serviceId, customerId, OrderedOn, 10, card, At));
            }
            await BankTransferRepository.ApproveAsync(work, customerId, manager, At, "Two services, pays yearly budgets by transfer");
            await work.CommitAsync();
        }
        var time = new FakeTimeProvider(At);
        var renewals = BillingSeed.Renewals(db, emulator.Payments, time);

        await renewals.RunAsync(BillingCalendar.ChargeDate(OrderedOn, 1), CancellationToken.None);
        await using var connection = await db.OpenAsync();
        var open = (await connection.QueryAsync<(Guid Id, string Status, string PaymentMethod)>(
            "SELECT id, status, payment_method FROM invoices WHERE period_index = 1")).ToList();
        Assert.Equal(2, open.Count);
        Assert.All(open, i => Assert.Equal(("Open", "bank_transfer"), (i.Status, i.PaymentMethod)));
        Assert.Equal("Approved", await connection.ExecuteScalarAsync<string>("SELECT action FROM bank_transfer_audit"));

        // The money for one invoice arrives; staff mark it paid.
        await db.WriteAsync(async work =>
        {
            var invoice = await RenewalRepository.FindOpenByIdAsync(work, open[0].Id);
            await new InvoiceSettlement(time).SettleAsync(work, invoice!.Service, invoice.Invoice, invoice.Period, paymentIntentId: null);
        });
        Assert.Equal("Paid", await connection.ExecuteScalarAsync<string>("SELECT status FROM invoices WHERE id = @Id", new { open[0].Id }));

        // The other service ends: one service left, so its next invoice is charged to the card.
        await connection.ExecuteAsync("UPDATE billed_services SET billing_status = 'Ended', next_due_on = NULL WHERE service_id <> (SELECT service_id FROM invoices WHERE id = @Id)", new { open[0].Id });
        await renewals.RunAsync(BillingCalendar.ChargeDate(OrderedOn, 2), CancellationToken.None);
        var next = await connection.QuerySingleAsync<(string Status, string PaymentMethod)>("SELECT status, payment_method FROM invoices WHERE period_index = 2");
        Assert.Equal(("Paid", "card"), next);
    }

    [Fact]
    public async Task Bank_transfer_needs_more_than_one_running_service()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var customerId = Guid.NewGuid();
        await using var work = await host.Database.BeginAsync();
        await BillingSeed.AccountWithActiveStarterAsync(work, customerId, "cus_x", Guid.NewGuid(), OrderedOn, null, At);
        await BankTransferRepository.ApproveAsync(work, customerId, Guid.NewGuid(), At, "approved before the second service was cancelled");
        Assert.False(await BankTransferRepository.AppliesAsync(work, customerId));
    }
}
