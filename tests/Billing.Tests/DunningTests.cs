using Dapper;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Billing.Data;
using ProMTA.Billing.Renewals;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>Rule 12 with a card that declines off-session: retries, suspension at period start, then either payment or termination.</summary>
public sealed class DunningTests(PostgresFixture postgres, StripeEmulatorFixture emulator)
    : IClassFixture<PostgresFixture>, IClassFixture<StripeEmulatorFixture>
{
    private static readonly DateOnly OrderedOn = new(2027, 3, 20);

    [Fact]
    public async Task An_unpaid_renewal_is_retried_then_suspended_at_period_start_and_terminated_14_days_later()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var (serviceId, run) = await SeedAsync(host, "pm_card_chargeDeclined");

        var steps = await RunDaysAsync(run, new DateOnly(2027, 4, 1), new DateOnly(2027, 5, 10), host, serviceId);

        // charge Apr 6, retries Apr 9, 13, 18; suspended Apr 20 (period start); terminated May 4 (+14 days)
        Assert.Equal([new(2027, 4, 6), new(2027, 4, 9), new(2027, 4, 13), new(2027, 4, 18)], steps.Attempts);
        Assert.Equal(new DateOnly(2027, 4, 20), steps.SuspendedOn);
        Assert.Equal(new DateOnly(2027, 5, 4), steps.TerminatedOn);
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal("Uncollectible", await connection.ExecuteScalarAsync<string>("SELECT status FROM invoices WHERE period_index = 1"));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT kind) FROM notifications")); // failed, suspended, terminated
    }

    [Fact]
    public async Task A_suspended_service_that_gets_a_working_card_is_charged_and_resumed()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var (serviceId, run) = await SeedAsync(host, "pm_card_chargeDeclined");
        var steps = await RunDaysAsync(run, new DateOnly(2027, 4, 1), new DateOnly(2027, 4, 21), host, serviceId);
        Assert.Equal(new DateOnly(2027, 4, 20), steps.SuspendedOn);

        // The customer replaces the card after the retry schedule is used up (what POST /api/payment-methods does):
        // the next run charges the open invoice with it.
        await using (var work = await host.Database.BeginAsync())
        {
            var customer = await work.ExecuteScalarAsync<string>("SELECT stripe_customer_id FROM billing_accounts");
            var customerId = await work.ExecuteScalarAsync<Guid>("SELECT customer_id FROM billing_accounts");
            var card = await emulator.Payments.AttachPaymentMethodAsync(customer!, "pm_card_visa", $"replace-{serviceId}", CancellationToken.None);
            await RenewalRepository.ReplaceCardAsync(work, customerId, card, new DateOnly(2027, 4, 22));
            await work.CommitAsync();
        }
        steps = await RunDaysAsync(run, new DateOnly(2027, 4, 22), new DateOnly(2027, 4, 23), host, serviceId);
        Assert.Null(steps.TerminatedOn);
        await using var check = await host.Database.OpenAsync();
        Assert.Equal("Active", await check.ExecuteScalarAsync<string>("SELECT billing_status FROM billed_services"));
        Assert.Equal("Paid", await check.ExecuteScalarAsync<string>("SELECT status FROM invoices WHERE period_index = 1"));
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%ServiceResumed'"));
    }

    private sealed record Steps(List<DateOnly> Attempts, DateOnly? SuspendedOn, DateOnly? TerminatedOn);

    private async Task<(Guid ServiceId, RenewalProcessor Run)> SeedAsync(ServiceDatabaseHost host, string card)
    {
        var customerId = Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        var stripeCustomer = await emulator.Payments.CreateCustomerAsync(customerId, "dunning@example.test", "Dunning", CancellationToken.None);
        var attached = await emulator.Payments.AttachPaymentMethodAsync(stripeCustomer, card, serviceId.ToString(), CancellationToken.None);
        var at = new DateTimeOffset(2027, 3, 20, 9, 0, 0, TimeSpan.Zero);
        await host.Database.WriteAsync(work => BillingSeed.AccountWithActiveStarterAsync(work, customerId, stripeCustomer, serviceId, OrderedOn, attached, at));
        var time = new FakeTimeProvider(at);
        return (serviceId, BillingSeed.Renewals(host.Database, emulator.Payments, time));
    }

    /// <summary>Runs the scheduler once a day and reads back what it did each day.</summary>
    private static async Task<Steps> RunDaysAsync(RenewalProcessor run, DateOnly from, DateOnly to, ServiceDatabaseHost host, Guid serviceId)
    {
        var attempts = new List<DateOnly>();
        DateOnly? suspended = null, terminated = null;
        await using var connection = await host.Database.OpenAsync();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var before = await connection.QuerySingleAsync<(string Status, int Attempts)>(
                "SELECT billing_status, dunning_attempts FROM billed_services WHERE service_id = @serviceId", new { serviceId });
            await run.RunAsync(day, CancellationToken.None);
            var after = await connection.QuerySingleAsync<(string Status, int Attempts)>(
                "SELECT billing_status, dunning_attempts FROM billed_services WHERE service_id = @serviceId", new { serviceId });
            if (after.Attempts > before.Attempts) attempts.Add(day);
            if (after.Status == "Suspended" && before.Status != "Suspended") suspended = day;
            if (after.Status == "Terminated" && before.Status != "Terminated") terminated = day;
        }
        return new Steps(attempts, suspended, terminated);
    }
}
