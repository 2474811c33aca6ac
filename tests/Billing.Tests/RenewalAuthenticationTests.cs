using System.Net;
using System.Text.RegularExpressions;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Renewals;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>SCA on a renewal: the off-session charge needs the customer, so the invoice stays open and the notice carries a pay link.</summary>
public sealed partial class RenewalAuthenticationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_renewal_that_needs_authentication_is_paid_through_the_link_in_the_notice()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var (customerId, chargeDate) = await SeedRenewalAsync(stack);
        await stack.Service<RenewalProcessor>().RunAsync(chargeDate, CancellationToken.None);

        using var customer = stack.ClientFor(customerId);
        var invoice = Assert.Single((await stack.GetJsonAsync(customer, "/api/invoices")).GetProperty("items").EnumerateArray());
        Assert.Equal("Open", invoice.GetProperty("status").GetString());
        var payUrl = PayLink(Assert.Single((await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray()));
        Assert.Equal(payUrl, await stack.ScalarAsync<string>("SELECT body->>'payUrl' FROM outbox_messages WHERE message_type LIKE '%PaymentFailed'"));

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var authenticated = await browser.GetAsync(payUrl);
        Assert.Equal(HttpStatusCode.Redirect, authenticated.StatusCode);
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT status FROM invoices") == "Paid", "the webhook pays the invoice");
        Assert.Equal(("Active", 2), (await stack.ScalarAsync<string>("SELECT billing_status FROM billed_services"), await stack.ScalarAsync<int>("SELECT next_period FROM billed_services")));
    }

    [Fact]
    public async Task While_the_webhook_reads_the_payment_from_Stripe_neither_the_service_nor_its_invoice_is_locked()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var (customerId, chargeDate) = await SeedRenewalAsync(stack);
        await stack.Service<RenewalProcessor>().RunAsync(chargeDate, CancellationToken.None);
        using var customer = stack.ClientFor(customerId);
        var payUrl = PayLink(Assert.Single((await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray()));

        // Stripe answering in 3 s: the webhook's read of the PaymentIntent is in flight that long.
        stack.StripeLatency.Delay = TimeSpan.FromSeconds(3);
        var reads = await PaymentIntentReadsAsync(stack);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using (await browser.GetAsync(payUrl)) { }
        await BillingStack.EventuallyAsync(async () => await PaymentIntentReadsAsync(stack) > reads, "the webhook asks Stripe for the PaymentIntent");

        // NOWAIT fails if the webhook's transaction held these rows across the call.
        await using (var work = await stack.Database.BeginAsync())
        {
            Assert.Equal(1, await work.ExecuteScalarAsync<int>("SELECT count(*) FROM (SELECT 1 FROM billed_services FOR UPDATE NOWAIT) s"));
            Assert.Equal(1, await work.ExecuteScalarAsync<int>("SELECT count(*) FROM (SELECT 1 FROM invoices FOR UPDATE NOWAIT) i"));
        }
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT status FROM invoices") == "Paid", "the webhook pays the invoice");
    }

    private static async Task<long> PaymentIntentReadsAsync(BillingStack stack) =>
        (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<Dictionary<string, long>>(stack.Emulator, "/_emulator/requests"))!
            .GetValueOrDefault("GET /v1/payment_intents");

    [Fact]
    public async Task A_retry_withdraws_the_old_link_so_the_customer_can_never_pay_twice()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var (customerId, chargeDate) = await SeedRenewalAsync(stack);
        var renewals = stack.Service<RenewalProcessor>();
        await renewals.RunAsync(chargeDate, CancellationToken.None);
        var firstIntent = await stack.ScalarAsync<string>("SELECT stripe_payment_intent_id FROM invoices");

        await renewals.RunAsync(chargeDate.AddDays(Dunning.RetryDays[1]), CancellationToken.None);
        var secondIntent = await stack.ScalarAsync<string>("SELECT stripe_payment_intent_id FROM invoices");
        Assert.NotEqual(firstIntent, secondIntent);
        var intents = new global::Stripe.PaymentIntentService(new global::Stripe.StripeClient("sk_test_check", apiBase: stack.Emulator.BaseAddress!.ToString().TrimEnd('/')));
        Assert.Equal("canceled", (await intents.GetAsync(firstIntent)).Status);
        Assert.Equal("requires_action", (await intents.GetAsync(secondIntent)).Status);

        using var customer = stack.ClientFor(customerId);
        var links = (await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray().Select(PayLink).ToList();
        Assert.Equal(2, links.Distinct().Count());
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var stale = await browser.GetAsync(links.Single(l => l.Contains(firstIntent)));
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        Assert.Equal("Open", await stack.ScalarAsync<string>("SELECT status FROM invoices"));
    }

    private static async Task<(Guid CustomerId, DateOnly ChargeDate)> SeedRenewalAsync(BillingStack stack)
    {
        var customerId = Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        var orderedOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-20);
        var stripeCustomer = await stack.Payments.CreateCustomerAsync(customerId, "renewal@example.test", "Renewal", CancellationToken.None);
        var card = await stack.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_authenticationRequired", serviceId.ToString(), CancellationToken.None);
        await stack.Database.WriteAsync(work => BillingSeed.AccountWithActiveStarterAsync(work, customerId, stripeCustomer, serviceId, orderedOn, card, DateTimeOffset.UtcNow));
        return (customerId, BillingCalendar.ChargeDate(orderedOn, 1));
    }

    private static string PayLink(System.Text.Json.JsonElement notice) =>
        Link().Match(notice.GetProperty("message").GetString()!) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException("no pay link in the notice");

    [GeneratedRegex(@"complete it at (\S+) before")]
    private static partial Regex Link();
}
