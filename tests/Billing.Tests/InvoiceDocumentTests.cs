using System.Net;
using System.Net.Http.Json;
using Npgsql;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>
/// Invoices a business can file: VAT from the billing profile, the PDF (PDFsharp) read back with PdfPig field by
/// field, one period convention in the API and the PDF, immutability, and a refused first payment that leaves nothing.
/// </summary>
public sealed class InvoiceDocumentTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    // 10:00 in Amsterdam on 5 December 2026: the first period is 5 December to 4 January, both included.
    private static readonly DateTimeOffset OrderedAt = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_eu_business_abroad_gets_a_reverse_charged_invoice_whose_pdf_shows_every_field()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        using var customer = stack.ClientFor(customerId);
        Assert.Equal(HttpStatusCode.OK, (await customer.PutAsJsonAsync("/api/account/billing-profile", BillingProfileApiTests.GermanBusiness)).StatusCode);
        await stack.PlaceOrderAsync(customerId, "pm_card_visa", OrderedAt);

        var invoice = Assert.Single((await stack.GetJsonAsync(customer, "/api/invoices")).GetProperty("items").EnumerateArray());
        Assert.Equal(("2026-12-05", "2027-01-04"), (invoice.GetProperty("periodStart").GetString(), invoice.GetProperty("periodEnd").GetString()));
        Assert.Equal((149m, 0m, 149m, "ReverseCharge", "ProMTA Business, monthly subscription (prepaid)"),
            (invoice.GetProperty("net").GetDecimal(), invoice.GetProperty("vat").GetDecimal(), invoice.GetProperty("amount").GetDecimal(),
             invoice.GetProperty("vatTreatment").GetString(), invoice.GetProperty("description").GetString()));

        var pdf = await customer.GetByteArrayAsync($"/api/invoices/{invoice.GetProperty("id").GetGuid()}/pdf");
        var text = PdfText.Read(pdf);
        var number = invoice.GetProperty("number").GetInt64();
        // Issued and paid on the clock's day in Amsterdam (the business zone), not the order's fixed date.
        var amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        string LocalDay(string property) => TimeZoneInfo.ConvertTime(invoice.GetProperty(property).GetDateTimeOffset(), amsterdam).ToString("yyyy-MM-dd");
        string[] fields =
        [
            // seller
            "ProMTA B.V.", "Keizersgracht 100", "1015 AA Amsterdam", "Netherlands", "VAT ID: NL123456782B01", "Reg.: KvK 12345678", "IBAN: NL91ABNA0417164300",
            // buyer
            "Bill to", "Müller Versand GmbH", "Hauptstraße 5", "10115 Berlin", "Germany", "VAT ID: DE123456789", "E-mail: rechnung@mueller.example",
            // document
            "INVOICE", $"Invoice number {number}", $"Invoice date {LocalDay("issuedAt")}", "Service period 2026-12-05 to 2027-01-04",
            "ProMTA Business, monthly subscription (prepaid)", "149.00 EUR", "VAT 0%", "Total 149.00 EUR",
            $"Payment: paid by card (Stripe) on {LocalDay("paidAt")}.", "Reverse charge: VAT to be accounted for by the customer (Article 196, Council Directive 2006/112/EC).",
        ];
        Assert.All(fields, field => Assert.Contains(field, text));
        Assert.DoesNotContain("promta-business", text); // the plan's name, never the internal id
    }

    [Fact]
    public async Task A_customer_without_a_profile_pays_the_seller_countrys_vat_and_the_invoice_never_changes()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        using var customer = stack.ClientFor(customerId);
        var order = await stack.PlaceOrderAsync(customerId, "pm_card_visa", OrderedAt);

        var invoice = Assert.Single((await stack.GetJsonAsync(customer, "/api/invoices")).GetProperty("items").EnumerateArray());
        Assert.Equal((149m, 21m, 31.29m, 180.29m, "Standard"),
            (invoice.GetProperty("net").GetDecimal(), invoice.GetProperty("vatRate").GetDecimal(), invoice.GetProperty("vat").GetDecimal(),
             invoice.GetProperty("amount").GetDecimal(), invoice.GetProperty("vatTreatment").GetString()));
        var charged = await stack.GetJsonAsync(stack.Emulator, "/_emulator/ledger");
        Assert.Contains(charged.GetProperty("data").EnumerateArray(), e => e.GetProperty("amount").GetInt64() == 18029
            && e.GetProperty("metadata").GetProperty("order_id").GetString() == order.OrderId.ToString());

        var text = PdfText.Read(await customer.GetByteArrayAsync($"/api/invoices/{invoice.GetProperty("id").GetGuid()}/pdf"));
        Assert.All(["Jane Doe", "E-mail: jane@example.test", "Net total 149.00 EUR", "VAT 21% 31.29 EUR", "Total 180.29 EUR", "Prices exclude VAT."],
            field => Assert.Contains(field, text));
        Assert.DoesNotContain("Reverse charge", text);

        // A profile saved later applies to later invoices only: the issued one keeps its buyer and VAT.
        Assert.Equal(HttpStatusCode.OK, (await customer.PutAsJsonAsync("/api/account/billing-profile", BillingProfileApiTests.GermanBusiness)).StatusCode);
        var again = PdfText.Read(await customer.GetByteArrayAsync($"/api/invoices/{invoice.GetProperty("id").GetGuid()}/pdf"));
        Assert.Contains("Jane Doe", again);
        Assert.DoesNotContain("Müller", again);

        // The database refuses to change or delete what an issued invoice says; its payment status may still move.
        var edit = await Assert.ThrowsAsync<PostgresException>(() => stack.ScalarAsync<int>("UPDATE invoices SET amount_minor = 1, net_minor = 1, vat_minor = 0"));
        Assert.Contains("cannot change", edit.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => stack.ScalarAsync<int>("DELETE FROM invoices"));
        await stack.ScalarAsync<int>("UPDATE invoices SET status = 'Paid', paid_at = now()");
    }

    [Fact]
    public async Task A_renewal_takes_the_vat_of_the_profile_on_its_charge_date_and_charges_that_amount()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        using var customer = stack.ClientFor(customerId);
        var order = await stack.PlaceOrderAsync(customerId, "pm_card_visa", OrderedAt); // no profile yet: 180.29 with Dutch VAT
        Assert.Equal(HttpStatusCode.OK, (await customer.PutAsJsonAsync("/api/account/billing-profile", BillingProfileApiTests.GermanBusiness)).StatusCode);

        // Period 1 (5 January to 4 February) is charged 14 days before it starts.
        var renewals = BillingSeed.Renewals(stack.Database, stack.Payments, TimeProvider.System);
        Assert.Equal(1, await renewals.RunAsync(new DateOnly(2026, 12, 22), CancellationToken.None));

        var invoices = (await stack.GetJsonAsync(customer, "/api/invoices")).GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("periodStart").GetString(), i.GetProperty("periodEnd").GetString(), i.GetProperty("amount").GetDecimal(),
                i.GetProperty("vatTreatment").GetString(), i.GetProperty("status").GetString())).ToList();
        Assert.Equal([("2027-01-05", "2027-02-04", 149m, "ReverseCharge", "Paid"), ("2026-12-05", "2027-01-04", 180.29m, "Standard", "Paid")], invoices);
        var ledger = await stack.GetJsonAsync(stack.Emulator, "/_emulator/ledger");
        Assert.Contains(ledger.GetProperty("data").EnumerateArray(), e => e.GetProperty("amount").GetInt64() == 14900
            && e.GetProperty("metadata").GetProperty("service_id").GetString() == order.ServiceId.ToString()
            && e.GetProperty("metadata").GetProperty("period").GetString() == "1");
        Assert.Equal(14900L, await stack.ScalarAsync<long>(
            "SELECT (body->>'amountMinor')::bigint FROM outbox_messages WHERE message_type LIKE '%PaymentSucceeded' AND (body->>'periodIndex')::int = 1"));
    }

    [Fact]
    public async Task A_refused_first_payment_issues_no_invoice_and_a_new_card_retries_nothing()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        using var customer = stack.ClientFor(customerId);
        var order = await stack.PlaceOrderAsync(customerId, "pm_card_chargeDeclined", OrderedAt);

        Assert.Equal(0L, (await stack.GetJsonAsync(customer, "/api/invoices")).GetProperty("total").GetInt64());
        Assert.Equal(0L, await stack.ScalarAsync<long>("SELECT last_number FROM invoice_counter")); // no number used: the series stays gapless
        Assert.Equal(1L, await stack.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PaymentFailed'"));
        Assert.Equal(("Unpaid", (DateTime?)null), (await stack.ScalarAsync<string>("SELECT billing_status FROM billed_services"),
            await stack.ScalarAsync<DateTime?>("SELECT next_due_on::timestamp FROM billed_services")));

        // A new card is for renewals: it does not pick up the failed order.
        using var replaced = await customer.PostAsJsonAsync("/api/payment-methods", new { paymentMethodId = "pm_card_visa" });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.False(await stack.ScalarAsync<bool>("SELECT retry_requested FROM billed_services WHERE service_id = @Id", new { Id = order.ServiceId }));
        var renewals = BillingSeed.Renewals(stack.Database, stack.Payments, TimeProvider.System);
        Assert.Equal(0, await renewals.RunAsync(DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1), CancellationToken.None));

        // The next order that is paid gets invoice number 1.
        await stack.PlaceOrderAsync(customerId, "pm_card_visa", OrderedAt);
        Assert.Equal(1L, Assert.Single((await stack.GetJsonAsync(customer, "/api/invoices")).GetProperty("items").EnumerateArray()).GetProperty("number").GetInt64());
    }
}
