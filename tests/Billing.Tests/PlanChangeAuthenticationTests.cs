using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>
/// An upgrade whose card asks for 3-D Secure (issue 17) follows a first payment's path: the answer carries the pay link
/// (Stripe's requires_action), nothing changes until the customer has paid through it, then the emulator's signed
/// payment_intent.succeeded webhook applies the upgrade with its proration invoice, once.
/// </summary>
public sealed class PlanChangeAuthenticationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task An_upgrade_needing_3_d_secure_waits_for_the_pay_link_and_changes_the_plan_once_paid()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var (customerId, serviceId) = await SeedAsync(stack);
        using var customer = stack.ClientFor(customerId);
        var path = $"/api/services/{serviceId}/plan-change";

        using var asked = await customer.PostAsJsonAsync(path, new { productId = "promta-business" });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var result = await asked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("AwaitingPayment", result.GetProperty("status").GetString());
        var payUrl = result.GetProperty("payUrl").GetString()!;
        Assert.Equal(JsonValueKind.Null, result.GetProperty("invoiceId").ValueKind);
        // Nothing changed yet, nothing invoiced; a second request is told to pay first.
        Assert.Equal("promta-starter", await stack.ScalarAsync<string>("SELECT product_id FROM billed_services"));
        Assert.Equal(1, await stack.ScalarAsync<long>("SELECT count(*) FROM invoices"));
        using (var again = await customer.PostAsJsonAsync(path, new { productId = "promta-enterprise" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains(payUrl, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        Assert.Contains((await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray(),
            n => n.GetProperty("kind").GetString() == "plan-change-payment" && n.GetProperty("message").GetString()!.Contains(payUrl, StringComparison.Ordinal));

        // The customer authenticates on the bank's page; Stripe's webhook applies the upgrade.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using (await browser.GetAsync(payUrl)) { }
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT product_id FROM billed_services") == "promta-business",
            "the upgrade applies once paid");
        var proration = (await stack.GetJsonAsync(customer, "/api/invoices")).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("kind").GetString() == "Proration");
        Assert.Equal(("Paid", result.GetProperty("change").GetProperty("amountNow").GetDecimal()),
            (proration.GetProperty("status").GetString(), proration.GetProperty("amount").GetDecimal()));
        Assert.Equal(("Applied", proration.GetProperty("id").GetGuid()), (await stack.ListAsync<(string, Guid)>("SELECT status, invoice_id FROM plan_changes")).Single());
        Assert.Equal(1, await stack.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PlanChanged'"));
    }

    [Fact]
    public async Task A_payment_arriving_after_the_service_changed_is_refunded_in_full_and_the_plan_stays()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var (customerId, serviceId) = await SeedAsync(stack);
        using var customer = stack.ClientFor(customerId);
        using var asked = await customer.PostAsJsonAsync($"/api/services/{serviceId}/plan-change", new { productId = "promta-business" });
        var payUrl = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payUrl").GetString()!;

        // Before the customer pays, a cancellation is scheduled: the upgrade asked for is no longer what the service can buy.
        await using (var work = await stack.Database.BeginAsync())
        {
            await CancellationRepository.CancelAsync(work, serviceId, DateTimeOffset.UtcNow, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10), false);
            await work.CommitAsync();
        }
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using (await browser.GetAsync(payUrl)) { }

        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT status FROM plan_changes") == "Declined",
            "the late payment declines the change");
        Assert.Equal("promta-starter", await stack.ScalarAsync<string>("SELECT product_id FROM billed_services"));
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT count(*) FROM invoices WHERE kind = 'Proration'"));
        Assert.Contains((await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray(),
            n => n.GetProperty("kind").GetString() == "plan-change-declined" && n.GetProperty("message").GetString()!.Contains("refunded in full", StringComparison.Ordinal));
        var ledger = await stack.Emulator.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        var payment = Assert.Single(ledger.GetProperty("data").EnumerateArray(),
            e => e.GetProperty("metadata").TryGetProperty("plan_change", out _) && e.GetProperty("status").GetString() == "succeeded");
        Assert.Equal(payment.GetProperty("amount").GetInt64(), payment.GetProperty("amount_refunded").GetInt64());
        // Stripe's own events about that refund are acknowledged (nothing to credit: nothing was invoiced), not retried for days.
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>(
            "SELECT count(*) FROM stripe_events WHERE type IN ('refund.created', 'charge.refunded')") == 2, "Stripe's refund events are acknowledged");
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT count(*) FROM credit_notes"));
    }

    /// <summary>A live Starter service paid for today, with a card that asks for 3-D Secure on every payment.</summary>
    private static async Task<(Guid Customer, Guid Service)> SeedAsync(BillingStack stack)
    {
        var customerId = Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        var orderedOn = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")).DateTime);
        var stripeCustomer = await stack.Payments.CreateCustomerAsync(customerId, "sca-upgrade@example.test", "SCA", CancellationToken.None);
        var card = await stack.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_authenticationRequired", serviceId.ToString(), CancellationToken.None);
        await using var work = await stack.Database.BeginAsync();
        await BillingSeed.CatalogueAsync(work);
        await BillingSeed.AccountWithActiveStarterAsync(work, customerId, stripeCustomer, serviceId, orderedOn, card, DateTimeOffset.UtcNow);
        await BillingSeed.LiveAsync(work, serviceId, DateTimeOffset.UtcNow);
        var invoiceId = Guid.CreateVersion7();
        await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, serviceId, customerId, 0, orderedOn,
            BillingCalendar.PeriodEnd(orderedOn, 0), 14900, "EUR", DateTimeOffset.UtcNow));
        await BillingRepository.MarkPaidAsync(work, invoiceId, $"pi_seed_{serviceId:N}", DateTimeOffset.UtcNow);
        await work.CommitAsync();
        return (customerId, serviceId);
    }
}
