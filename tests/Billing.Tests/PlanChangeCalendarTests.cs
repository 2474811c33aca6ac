using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.PlanChanges;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>
/// Plan changes on the billing calendar (issue 17), with the clock set to the day that matters, on real PostgreSQL and
/// the Stripe emulator: the proration of an upgrade to the cent, the renewal after it, the last day of a period,
/// downgrades at the next period not yet charged, and the refusals (dunning, cancellation, declined card).
/// Ordered on 5 December 2026 in Amsterdam: period 0 is 2026-12-05 to 2027-01-04 (31 days), period 1 is charged on
/// 2026-12-22 and starts on 2027-01-05. No billing profile: Dutch VAT, 21 %.
/// </summary>
public sealed class PlanChangeCalendarTests(PostgresFixture postgres, StripeEmulatorFixture emulator)
    : IClassFixture<PostgresFixture>, IClassFixture<StripeEmulatorFixture>
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
    private static readonly DateOnly OrderedOn = new(2026, 12, 5);

    [Fact]
    public async Task An_upgrade_mid_period_charges_the_price_difference_for_the_days_left_and_the_next_renewal_charges_the_new_price()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 20)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-starter");

        var outcome = await ChangeAsync(host.Database, time, service, "promta-business");

        // 16 of 31 days left (20 Dec to 4 Jan, both included): 25000 x 16 / 31 = 12903.2 -> 12903; VAT 21 % = 2709.63 -> 2710
        var result = Assert.IsType<PlanChangeOutcome.Done>(outcome).Result;
        Assert.Equal(PlanChangeStatus.Applied, result.Status);
        Assert.Equal(PlanChangeKind.Upgrade, result.Change.Kind);
        Assert.Equal(129.03m, result.Change.AmountNowNet);
        Assert.Equal(27.10m, result.Change.AmountNowVat);
        Assert.Equal(156.13m, result.Change.AmountNow);
        Assert.Equal(399.00m, result.Change.NewMonthlyPrice);
        Assert.Equal(482.79m, result.Change.NewMonthlyPriceWithVat);
        var period = Assert.Single(result.Change.Periods);
        Assert.Equal((new DateOnly(2026, 12, 5), new DateOnly(2027, 1, 4), 31, 16), (period.Start, period.End, period.Days, period.DaysLeft));

        await using var connection = await host.Database.OpenAsync();
        var invoice = await connection.QuerySingleAsync<(string Kind, string Status, long Net, long Vat, long Amount, DateOnly Start, DateOnly End, string Line)>(
            "SELECT kind, status, net_minor, vat_minor, amount_minor, period_start, period_end, line_description FROM invoices WHERE id = @Id",
            new { Id = result.InvoiceId });
        Assert.Equal((InvoiceKind.Proration, "Paid", 12903L, 2710L, 15613L, new DateOnly(2026, 12, 20), new DateOnly(2027, 1, 5)),
            (invoice.Kind, invoice.Status, invoice.Net, invoice.Vat, invoice.Amount, invoice.Start, invoice.End));
        Assert.Contains("ProMTA Business (upgrade from ProMTA Starter)", invoice.Line);
        Assert.Contains("16/31 days of the period 2026-12-05 to 2027-01-04", invoice.Line);
        Assert.Equal(("promta-business", 39900L, 4), await connection.QuerySingleAsync<(string, long, int)>(
            "SELECT product_id, monthly_price_minor, dedicated_ips FROM billed_services"));
        var changed = JsonDocument.Parse(await connection.ExecuteScalarAsync<string>("SELECT body::text FROM outbox_messages WHERE message_type LIKE '%PlanChanged'") ?? "{}").RootElement;
        Assert.Equal(4, changed.GetProperty("dedicatedIps").GetInt32());
        Assert.Equal(1, changed.GetProperty("previousDedicatedIps").GetInt32());
        Assert.Equal("2026-12-20", changed.GetProperty("effectiveOn").GetString());
        Assert.Equal(15613, await ChargedAsync(result.Change.ServiceId, "plan_change"));

        // The renewal 14 days ahead charges Business: 39900 + 21 % = 48279.
        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22));
        Assert.Equal((39900L, 48279L), await connection.QuerySingleAsync<(long, long)>(
            "SELECT net_minor, amount_minor FROM invoices WHERE period_index = 1 AND kind = 'Period' AND status = 'Paid'"));
    }

    [Fact]
    public async Task An_upgrade_on_the_last_day_of_a_period_also_pays_the_difference_for_the_next_period_already_charged()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 21)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-starter");
        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22)); // period 1 charged at the Starter price

        time.SetUtcNow(At(new DateOnly(2027, 1, 4)).AddHours(12)); // 21:00, the last day of period 0
        var result = Assert.IsType<PlanChangeOutcome.Done>(await ChangeAsync(host.Database, time, service, "promta-business")).Result;

        // period 0: 1 of 31 days, 25000 / 31 = 806.45 -> 806; period 1 (paid, not started): 31 of 31 days, 25000; net 25806,
        // VAT 21 % = 5419.26 -> 5419, charged 31225.
        Assert.Equal([(1, 31, 8.06m), (31, 31, 250.00m)], result.Change.Periods.Select(p => (p.DaysLeft, p.Days, p.Net)));
        Assert.Equal((258.06m, 54.19m, 312.25m), (result.Change.AmountNowNet, result.Change.AmountNowVat, result.Change.AmountNow));
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal((new DateOnly(2027, 1, 4), new DateOnly(2027, 2, 5), 0), await connection.QuerySingleAsync<(DateOnly, DateOnly, int)>(
            "SELECT period_start, period_end, period_index FROM invoices WHERE kind = 'Proration'"));

        // The period after is charged at Business on its day (2027-01-22), once.
        await RenewAsync(host.Database, time, new DateOnly(2027, 1, 22));
        Assert.Equal(39900L, await connection.ExecuteScalarAsync<long>("SELECT net_minor FROM invoices WHERE period_index = 2 AND kind = 'Period'"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices WHERE period_index = 1 AND kind = 'Period'"));
    }

    [Fact]
    public async Task A_downgrade_takes_effect_when_the_first_period_not_charged_starts_and_that_renewal_charges_the_new_price()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 10)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-business");

        var result = Assert.IsType<PlanChangeOutcome.Done>(await ChangeAsync(host.Database, time, service, "promta-starter")).Result;
        Assert.Equal((PlanChangeStatus.Scheduled, PlanChangeKind.Downgrade, new DateOnly(2027, 1, 5), 0m),
            (result.Status, result.Change.Kind, result.Change.EffectiveOn, result.Change.AmountNow));

        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22));
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal((14900L, 18029L), await connection.QuerySingleAsync<(long, long)>("SELECT net_minor, amount_minor FROM invoices WHERE period_index = 1"));
        var paid = JsonDocument.Parse(await connection.ExecuteScalarAsync<string>(
            "SELECT body::text FROM outbox_messages WHERE message_type LIKE '%PaymentSucceeded' AND (body->>'periodIndex')::int = 1") ?? "{}").RootElement;
        Assert.Equal(("promta-starter", 1), (paid.GetProperty("productId").GetString(), paid.GetProperty("dedicatedIps").GetInt32()));

        // Still Business (4 IPs) through 4 January; Starter from the 5th.
        var downgrades = BillingSeed.Downgrades(host.Database, time);
        Assert.Equal(0, await downgrades.RunAsync(new DateOnly(2027, 1, 4), CancellationToken.None));
        Assert.Equal("promta-business", await connection.ExecuteScalarAsync<string>("SELECT product_id FROM billed_services"));
        Assert.Equal(1, await downgrades.RunAsync(new DateOnly(2027, 1, 5), CancellationToken.None));
        Assert.Equal(("promta-starter", 14900L, 1), await connection.QuerySingleAsync<(string, long, int)>(
            "SELECT product_id, monthly_price_minor, dedicated_ips FROM billed_services"));
        var changed = JsonDocument.Parse(await connection.ExecuteScalarAsync<string>("SELECT body::text FROM outbox_messages WHERE message_type LIKE '%PlanChanged'") ?? "{}").RootElement;
        Assert.Equal((1, 4, "2027-01-05"), (changed.GetProperty("dedicatedIps").GetInt32(), changed.GetProperty("previousDedicatedIps").GetInt32(),
            changed.GetProperty("effectiveOn").GetString()));
        Assert.Equal(PlanChangeStatus.Applied, await connection.ExecuteScalarAsync<string>("SELECT status FROM plan_changes"));
        Assert.Equal(0, await downgrades.RunAsync(new DateOnly(2027, 1, 6), CancellationToken.None));
    }

    [Fact]
    public async Task A_downgrade_asked_after_the_next_period_was_charged_waits_for_the_period_after()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 21)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-business");
        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22)); // period 1 charged at Business

        time.SetUtcNow(At(new DateOnly(2026, 12, 25)));
        var result = Assert.IsType<PlanChangeOutcome.Done>(await ChangeAsync(host.Database, time, service, "promta-starter")).Result;
        Assert.Equal(new DateOnly(2027, 2, 5), result.Change.EffectiveOn);
        Assert.Contains("2027-02-05", result.Change.Summary);
    }

    [Fact]
    public async Task Choosing_the_current_plan_while_a_downgrade_is_scheduled_takes_it_back_and_the_renewal_charges_the_old_price()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 10)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-business");
        Assert.IsType<PlanChangeOutcome.Done>(await ChangeAsync(host.Database, time, service, "promta-starter"));

        var withdrawn = Assert.IsType<PlanChangeOutcome.Done>(await ChangeAsync(host.Database, time, service, "promta-business")).Result;
        Assert.Equal(PlanChangeStatus.Withdrawn, withdrawn.Status);
        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22));
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(39900L, await connection.ExecuteScalarAsync<long>("SELECT net_minor FROM invoices WHERE period_index = 1"));
        Assert.Equal(PlanChangeStatus.Withdrawn, await connection.ExecuteScalarAsync<string>("SELECT status FROM plan_changes"));
        var again = Assert.IsType<PlanChangeOutcome.Refused>(await ChangeAsync(host.Database, time, service, "promta-business"));
        Assert.Equal("Same plan", again.Refusal.Title);
    }

    [Fact]
    public async Task During_dunning_a_plan_change_is_refused_with_the_unpaid_period()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 21)));
        var service = await SeedAsync(host.Database, "pm_card_chargeDeclined", "promta-starter");
        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22)); // refused: PastDue

        time.SetUtcNow(At(new DateOnly(2026, 12, 23)));
        var refused = Assert.IsType<PlanChangeOutcome.Refused>(await ChangeAsync(host.Database, time, service, "promta-business"));
        Assert.Equal("Invoice unpaid", refused.Refusal.Title);
        Assert.Contains("2027-01-05", refused.Refusal.Detail);
    }

    [Fact]
    public async Task After_a_cancellation_was_scheduled_a_plan_change_is_refused_with_the_end_date()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 10)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-starter");
        await using (var work = await host.Database.BeginAsync())
        {
            await CancellationRepository.CancelAsync(work, service.ServiceId, time.GetUtcNow(), new DateOnly(2027, 1, 4), false);
            await work.CommitAsync();
        }

        var refused = Assert.IsType<PlanChangeOutcome.Refused>(await ChangeAsync(host.Database, time, service, "promta-business"));
        Assert.Equal("Cancellation scheduled", refused.Refusal.Title);
        Assert.Contains("2027-01-04", refused.Refusal.Detail);
    }

    [Fact]
    public async Task A_declined_proration_charge_leaves_the_plan_unchanged_and_issues_no_invoice()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 20)));
        var service = await SeedAsync(host.Database, "pm_card_chargeDeclined", "promta-starter");

        var declined = Assert.IsType<PlanChangeOutcome.Declined>(await ChangeAsync(host.Database, time, service, "promta-business"));
        Assert.Contains("The plan is unchanged: the service stays on ProMTA Starter", declined.Reason);
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal("promta-starter", await connection.ExecuteScalarAsync<string>("SELECT product_id FROM billed_services"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices WHERE kind = 'Proration'"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PlanChanged'"));
        Assert.Equal(PlanChangeStatus.Declined, await connection.ExecuteScalarAsync<string>("SELECT status FROM plan_changes"));
    }

    [Fact]
    public async Task A_service_not_live_yet_cannot_change_plan_and_the_same_plan_is_refused()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 5)).AddHours(2));
        var pending = await SeedAsync(host.Database, "pm_card_visa", "promta-starter", live: false);
        Assert.Equal("Service not live yet",
            Assert.IsType<PlanChangeOutcome.Refused>(await ChangeAsync(host.Database, time, pending, "promta-business")).Refusal.Title);

        var live = await SeedAsync(host.Database, "pm_card_visa", "promta-starter");
        Assert.Equal("Same plan", Assert.IsType<PlanChangeOutcome.Refused>(await ChangeAsync(host.Database, time, live, "promta-starter")).Refusal.Title);
        Assert.IsType<PlanChangeOutcome.UnknownProduct>(await ChangeAsync(host.Database, time, live, "promta-galactic"));
        Assert.IsType<PlanChangeOutcome.NotFound>(await ChangeAsync(host.Database, time, live with { CustomerId = Guid.NewGuid() }, "promta-business"));
    }

    [Fact]
    public async Task Extra_ips_are_an_add_on_charged_with_the_same_proration_and_removed_from_the_next_period()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 20)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-business");

        var added = Assert.IsType<PlanChangeOutcome.Done>(await ChangeAsync(host.Database, time, service, null, extraIps: 2)).Result;

        // 2 x 25.00 = 50.00 a month more: 5000 x 16 / 31 = 2580.65 -> 2581; VAT 21 % = 542.01 -> 542; charged 31.23 EUR.
        Assert.Equal((PlanChangeStatus.Applied, "ProMTA Business + 2 extra dedicated IPs", 2, 6), (added.Status, added.Change.ProductName, added.Change.ExtraIps,
            added.Change.DedicatedIps));
        Assert.Equal((25.81m, 5.42m, 31.23m, 449.00m), (added.Change.AmountNowNet, added.Change.AmountNowVat, added.Change.AmountNow, added.Change.NewMonthlyPrice));
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(("promta-business", 44900L, 6, 2), await connection.QuerySingleAsync<(string, long, int, int)>(
            "SELECT product_id, monthly_price_minor, dedicated_ips, extra_ips FROM billed_services"));
        Assert.StartsWith("ProMTA Business + 2 extra dedicated IPs (upgrade from ProMTA Business), prorated: 16/31 days",
            await connection.ExecuteScalarAsync<string>("SELECT line_description FROM invoices WHERE kind = 'Proration'"));
        var changed = JsonDocument.Parse(await connection.ExecuteScalarAsync<string>("SELECT body::text FROM outbox_messages WHERE message_type LIKE '%PlanChanged'") ?? "{}").RootElement;
        Assert.Equal(6, changed.GetProperty("dedicatedIps").GetInt32());

        // The renewal on 22 December charges the add-on too; giving the IPs back waits for the first period not charged.
        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22));
        Assert.Equal(("ProMTA Business + 2 extra dedicated IPs, monthly subscription (prepaid)", 44900L), await connection.QuerySingleAsync<(string, long)>(
            "SELECT line_description, net_minor FROM invoices WHERE period_index = 1 AND kind = 'Period'"));
        time.SetUtcNow(At(new DateOnly(2026, 12, 23)));
        var removed = Assert.IsType<PlanChangeOutcome.Done>(await ChangeAsync(host.Database, time, service, null, extraIps: 0)).Result;
        Assert.Equal((PlanChangeStatus.Scheduled, new DateOnly(2027, 2, 5)), (removed.Status, removed.Change.EffectiveOn));
        Assert.Equal(1, await BillingSeed.Downgrades(host.Database, time).RunAsync(new DateOnly(2027, 2, 5), CancellationToken.None));
        Assert.Equal((39900L, 4, 0), await connection.QuerySingleAsync<(long, int, int)>("SELECT monthly_price_minor, dedicated_ips, extra_ips FROM billed_services"));
    }

    [Fact]
    public async Task An_upgrade_whose_transaction_is_lost_after_the_charge_replays_to_the_same_charge()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 20)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-starter");
        var changer = BillingSeed.PlanChanger(host.Database, emulator.Payments, time, Amsterdam);

        // Charged, then the process dies before the result's transaction commits: nothing is recorded but the intent.
        await ChargeIntentTests.CrashBeforeInvoicesAsync(host.Database);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => changer.ApplyAsync(service.CustomerId, service.ServiceId, "promta-business", CancellationToken.None));
        await ChargeIntentTests.RecoverAsync(host.Database);
        Assert.Equal(15613, await ChargedAsync(service.ServiceId, "plan_change"));
        // While the charge's worker may still be alive (its lease), the customer asking again is told it is under way.
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("Plan change under way",
            Assert.IsType<PlanChangeOutcome.Refused>(await ChangeAsync(host.Database, time, service, "promta-business")).Refusal.Title);
        // After it, asking again completes the recorded charge.
        time.Advance(ChargeIntents.Lease);
        var result = Assert.IsType<PlanChangeOutcome.Done>(await ChangeAsync(host.Database, time, service, "promta-business")).Result;

        Assert.Equal(156.13m, result.Change.AmountNow);
        Assert.Equal(15613, await ChargedAsync(service.ServiceId, "plan_change")); // one charge, not two
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices WHERE kind = 'Proration' AND status = 'Paid'"));
    }

    [Fact]
    public async Task While_an_upgrade_is_being_charged_its_service_row_is_free_and_a_second_change_is_refused_at_once()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        await using var slowStripe = await StripeEmulator.StripeEmulatorApp.StartAsync("http://127.0.0.1:0");
        var stripeAddress = StripeEmulator.StripeEmulatorApp.GetBaseAddress(slowStripe);
        var stripe = new Stripe.StripePayments(new global::Stripe.StripeClient("sk_test_slow_stripe", apiBase: stripeAddress.ToString().TrimEnd('/')));
        using var stripeHttp = new HttpClient { BaseAddress = stripeAddress };
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 20)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-starter", stripe: stripe);
        var changer = BillingSeed.PlanChanger(host.Database, stripe, time, Amsterdam);

        // Stripe answering in 5 s (production: 100-800 ms): the upgrade's charge is in flight that long.
        slowStripe.Services.GetRequiredService<StripeEmulator.Latency.ApiLatency>().Delay = TimeSpan.FromSeconds(5);
        var sent = await PaymentIntentCallsAsync(stripeHttp);
        var upgrade = changer.ApplyAsync(service.CustomerId, service.ServiceId, "promta-business", CancellationToken.None);
        await BillingStack.EventuallyAsync(async () => await PaymentIntentCallsAsync(stripeHttp) > sent, "the upgrade's charge reached Stripe");

        // Meanwhile another transaction takes the service's row at once (NOWAIT fails if a transaction holds it across the call)...
        await using (var work = await host.Database.BeginAsync())
        {
            Assert.Equal(service.ServiceId, await work.QuerySingleOrDefaultAsync<Guid>(
                "SELECT service_id FROM billed_services WHERE service_id = @ServiceId FOR UPDATE NOWAIT", new { service.ServiceId }));
        }
        // ...and a second change of the service is refused with the reason, not queued behind the charge nor charged twice.
        var second = await changer.ApplyAsync(service.CustomerId, service.ServiceId, "promta-enterprise", CancellationToken.None);
        Assert.Equal("Plan change under way", Assert.IsType<PlanChangeOutcome.Refused>(second).Refusal.Title);

        var result = Assert.IsType<PlanChangeOutcome.Done>(await upgrade).Result;
        Assert.Equal((PlanChangeStatus.Applied, 156.13m), (result.Status, result.Change.AmountNow));
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal("promta-business", await connection.ExecuteScalarAsync<string>("SELECT product_id FROM billed_services"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM charge_intents WHERE completed_at IS NULL"));
    }

    [Fact]
    public async Task An_upgrade_left_pending_by_a_crash_keeps_the_renewal_away_until_the_recovery_applies_it_with_one_charge()
    {
        await using var host = await ServiceDatabaseHost.StartAsync(postgres, typeof(Extensions).Assembly);
        var time = new FakeTimeProvider(At(new DateOnly(2026, 12, 20)));
        var service = await SeedAsync(host.Database, "pm_card_visa", "promta-starter");
        var changer = BillingSeed.PlanChanger(host.Database, emulator.Payments, time, Amsterdam);
        await ChargeIntentTests.CrashBeforeInvoicesAsync(host.Database);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => changer.ApplyAsync(service.CustomerId, service.ServiceId, "promta-business", CancellationToken.None));
        await ChargeIntentTests.RecoverAsync(host.Database);

        // Two days later, long past the lease, period 1 is due: charged at Starter's price it would escape the upgrade's proration.
        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22));
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices WHERE period_index = 1 AND kind = 'Period'"));

        var recovery = new Charges.ChargeIntentRecovery(host.Database,
            new Orders.FirstMonthCharge(host.Database, emulator.Payments, BillingSeed.Issuer(), new BillingCalendar(Amsterdam),
                Microsoft.Extensions.Options.Options.Create(new BillingOptions()), time, NullLogger<Orders.FirstMonthCharge>.Instance),
            BillingSeed.UpgradeCharge(host.Database, emulator.Payments, time), new MigrationState(), Microsoft.Extensions.Options.Options.Create(new Charges.ChargeIntentRecoveryOptions()), time,
            NullLogger<Charges.ChargeIntentRecovery>.Instance);
        await recovery.RunOnceAsync(CancellationToken.None);

        // Stripe answered the recorded key with the first payment: one charge, one paid proration invoice, the plan changed, the customer told.
        Assert.Equal(15613, await ChargedAsync(service.ServiceId, "plan_change"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM invoices WHERE kind = 'Proration' AND status = 'Paid'"));
        Assert.Equal("promta-business", await connection.ExecuteScalarAsync<string>("SELECT product_id FROM billed_services"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notifications WHERE kind = 'plan-changed'"));
        Assert.Equal(PlanChangeStatus.Applied, await connection.ExecuteScalarAsync<string>("SELECT status FROM plan_changes"));
        // Then the renewal charges period 1 at Business: 39900 + 21 % = 48279.
        await RenewAsync(host.Database, time, new DateOnly(2026, 12, 22));
        Assert.Equal((39900L, 48279L), await connection.QuerySingleAsync<(long, long)>(
            "SELECT net_minor, amount_minor FROM invoices WHERE period_index = 1 AND kind = 'Period' AND status = 'Paid'"));
    }

    private static async Task<long> PaymentIntentCallsAsync(HttpClient stripe) =>
        (await stripe.GetFromJsonAsync<Dictionary<string, long>>("/_emulator/requests"))!.GetValueOrDefault("POST /v1/payment_intents");

    private sealed record Seeded(Guid CustomerId, Guid ServiceId);

    /// <summary>A customer whose service of <paramref name="productId"/> was ordered on 5 December 2026 and paid for its first month.</summary>
    private async Task<Seeded> SeedAsync(Database db, string card, string productId, bool live = true, Stripe.StripePayments? stripe = null)
    {
        stripe ??= emulator.Payments;
        var customerId = Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        var product = BillingSeed.Products.Single(p => p.ProductId == productId);
        var stripeCustomer = await stripe.CreateCustomerAsync(customerId, "plans@example.test", "Plan Tests", CancellationToken.None);
        var attached = await stripe.AttachPaymentMethodAsync(stripeCustomer, card, serviceId.ToString(), CancellationToken.None);
        await using var work = await db.BeginAsync();
        await BillingSeed.CatalogueAsync(work);
        await BillingRepository.AddAccountAsync(work, customerId, stripeCustomer, At(OrderedOn));
        await BillingRepository.AddServiceAsync(work, BillingSeed.ActiveStarter(serviceId, customerId, OrderedOn, OrderedOn.Day, attached, At(OrderedOn),
            product.MonthlyPriceMinor) with { ProductId = productId, ProductName = product.Name, DedicatedIps = product.DedicatedIps });
        var invoiceId = Guid.NewGuid();
        await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, serviceId, customerId, 0, OrderedOn,
            BillingCalendar.PeriodEnd(OrderedOn, 0), product.MonthlyPriceMinor, "EUR", At(OrderedOn)));
        await BillingRepository.MarkPaidAsync(work, invoiceId, $"pi_seed_{serviceId:N}", At(OrderedOn));
        if (live) await BillingSeed.LiveAsync(work, serviceId, At(OrderedOn).AddHours(1));
        await work.CommitAsync();
        return new Seeded(customerId, serviceId);
    }

    /// <summary>What POST /api/services/{id}/plan-change does, at the fake clock's time.</summary>
    private async Task<PlanChangeOutcome> ChangeAsync(Database db, TimeProvider time, Seeded service, string? productId, int? extraIps = null)
    {
        return await BillingSeed.PlanChanger(db, emulator.Payments, time, Amsterdam).ApplyAsync(service.CustomerId, service.ServiceId, productId,
            CancellationToken.None, extraIps);
    }

    private async Task RenewAsync(Database db, FakeTimeProvider time, DateOnly day)
    {
        time.SetUtcNow(At(day).AddHours(-3));
        await BillingSeed.Renewals(db, emulator.Payments, time).RunAsync(day, CancellationToken.None);
    }

    /// <summary>What the emulator's ledger shows charged for the service by payments carrying <paramref name="metadataKey"/>.</summary>
    private async Task<long> ChargedAsync(Guid serviceId, string metadataKey)
    {
        var ledger = await emulator.Http.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        return ledger.GetProperty("data").EnumerateArray()
            .Where(e => e.GetProperty("status").GetString() == "succeeded" && e.GetProperty("metadata").TryGetProperty(metadataKey, out _)
                && e.GetProperty("metadata").GetProperty("service_id").GetString() == serviceId.ToString())
            .Sum(e => e.GetProperty("amount").GetInt64());
    }

    /// <summary>10:00 in Amsterdam on <paramref name="day"/>.</summary>
    private static DateTimeOffset At(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), Amsterdam.GetUtcOffset(day.ToDateTime(new TimeOnly(10, 0)))).ToUniversalTime();
}
