using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>
/// GET/POST /api/services/{id}/plan-change on Billing's real API with the Stripe emulator: preview then upgrade (charged,
/// invoiced, listed), and what every refusal answers: a stranger 404, a bad productId or extraIps 400 naming the field, the same
/// plan 409 with the reason, a refused card 402 with the plan unchanged.
/// </summary>
public sealed class PlanChangeApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_customer_previews_an_upgrade_then_makes_it_and_finds_the_proration_invoice_among_their_invoices()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var paid = await stack.PayFirstMonthAsync("pm_card_visa");
        await LiveWithCatalogueAsync(stack, paid.ServiceId);
        using var customer = stack.ClientFor(paid.CustomerId);

        var preview = await stack.GetJsonAsync(customer, $"/api/services/{paid.ServiceId}/plan-change?productId=promta-business");
        Assert.Equal("Upgrade", preview.GetProperty("kind").GetString());
        Assert.Equal(399.00m, preview.GetProperty("newMonthlyPrice").GetDecimal());
        Assert.Equal(482.79m, preview.GetProperty("newMonthlyPriceWithVat").GetDecimal());
        var period = Assert.Single(preview.GetProperty("periods").EnumerateArray());
        // Days-based: 250.00 x days left / days of the period, VAT 21 % on top.
        var expectedNet = Math.Round(25000m * period.GetProperty("daysLeft").GetInt32() / period.GetProperty("days").GetInt32(), MidpointRounding.AwayFromZero) / 100m;
        Assert.Equal(expectedNet, preview.GetProperty("amountNowNet").GetDecimal());
        var amountNow = preview.GetProperty("amountNow").GetDecimal();
        Assert.Equal(Math.Round(expectedNet * 1.21m, 2, MidpointRounding.AwayFromZero), amountNow);
        // A preview changes nothing.
        Assert.Equal("promta-starter", await stack.ScalarAsync<string>("SELECT product_id FROM billed_services WHERE service_id = @Id", new { Id = paid.ServiceId }));

        using var response = await customer.PostAsJsonAsync($"/api/services/{paid.ServiceId}/plan-change", new { productId = "promta-business" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Applied", result.GetProperty("status").GetString());
        Assert.Equal(amountNow, result.GetProperty("change").GetProperty("amountNow").GetDecimal());
        var invoiceId = result.GetProperty("invoiceId").GetGuid();

        var invoice = await stack.GetJsonAsync(customer, $"/api/invoices/{invoiceId}");
        Assert.Equal(("Paid", amountNow), (invoice.GetProperty("status").GetString(), invoice.GetProperty("amount").GetDecimal()));
        Assert.StartsWith("ProMTA Business (upgrade from ProMTA Starter), prorated", invoice.GetProperty("description").GetString());
        Assert.Equal(paid.InvoiceNumber + 1, invoice.GetProperty("number").GetInt64());
        var pdf = await customer.GetAsync($"/api/invoices/{invoiceId}/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);

        // Now on Business: asking for it again is refused with the reason.
        using var again = await customer.PostAsJsonAsync($"/api/services/{paid.ServiceId}/plan-change", new { productId = "promta-business" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already runs on ProMTA Business", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Strangers_get_404_and_a_missing_or_unknown_product_is_a_400_naming_productId()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var paid = await stack.PayFirstMonthAsync("pm_card_visa");
        await LiveWithCatalogueAsync(stack, paid.ServiceId);
        using var customer = stack.ClientFor(paid.CustomerId);
        using var stranger = stack.ClientFor(Guid.NewGuid());

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/services/{paid.ServiceId}/plan-change?productId=promta-business")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await stranger.PostAsJsonAsync($"/api/services/{paid.ServiceId}/plan-change", new { productId = "promta-business" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await customer.GetAsync($"/api/services/{Guid.NewGuid()}/plan-change?productId=promta-business")).StatusCode);

        foreach (var request in new Func<Task<HttpResponseMessage>>[]
        {
            () => customer.GetAsync($"/api/services/{paid.ServiceId}/plan-change"),
            () => customer.GetAsync($"/api/services/{paid.ServiceId}/plan-change?productId=promta-galactic"),
            () => customer.PostAsJsonAsync($"/api/services/{paid.ServiceId}/plan-change", new { productId = "" }),
            () => customer.PostAsJsonAsync($"/api/services/{paid.ServiceId}/plan-change", new { productId = new string('x', 5000) }),
            () => customer.PostAsJsonAsync($"/api/services/{paid.ServiceId}/plan-change", new { }),
        })
        {
            using var response = await request();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("productId", out _));
        }
        foreach (var extraIps in new[] { -1, 33, int.MaxValue })
        {
            using var response = await customer.PostAsJsonAsync($"/api/services/{paid.ServiceId}/plan-change", new { extraIps });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("extraIps", out _));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await customer.GetAsync($"/api/services/{paid.ServiceId}/plan-change?extraIps=many")).StatusCode);
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT count(*) FROM plan_changes"));
    }

    [Fact]
    public async Task A_refused_card_answers_402_and_the_service_keeps_its_plan()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        var orderedOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-3);
        var stripeCustomer = await stack.Payments.CreateCustomerAsync(customerId, "declined@example.test", "Declined", CancellationToken.None);
        var card = await stack.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_chargeDeclined", serviceId.ToString(), CancellationToken.None);
        await using (var work = await stack.Database.BeginAsync())
        {
            await BillingSeed.AccountWithActiveStarterAsync(work, customerId, stripeCustomer, serviceId, orderedOn, card, DateTimeOffset.UtcNow.AddDays(-3));
            var invoiceId = Guid.CreateVersion7();
            await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, serviceId, customerId, 0, orderedOn, BillingCalendar.PeriodEnd(orderedOn, 0),
                14900, "EUR", DateTimeOffset.UtcNow.AddDays(-3)));
            await BillingRepository.MarkPaidAsync(work, invoiceId, "pi_seeded", DateTimeOffset.UtcNow.AddDays(-3));
            await work.CommitAsync();
        }
        await LiveWithCatalogueAsync(stack, serviceId);
        using var customer = stack.ClientFor(customerId);

        using var response = await customer.PostAsJsonAsync($"/api/services/{serviceId}/plan-change", new { productId = "promta-enterprise" });
        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Contains("The plan is unchanged", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal("promta-starter", await stack.ScalarAsync<string>("SELECT product_id FROM billed_services"));
        Assert.Equal(1L, await stack.ScalarAsync<long>("SELECT count(*) FROM invoices"));
    }

    private static async Task LiveWithCatalogueAsync(BillingStack stack, Guid serviceId)
    {
        await using var work = await stack.Database.BeginAsync();
        await BillingSeed.CatalogueAsync(work);
        await BillingSeed.LiveAsync(work, serviceId, DateTimeOffset.UtcNow);
        await work.CommitAsync();
    }
}
