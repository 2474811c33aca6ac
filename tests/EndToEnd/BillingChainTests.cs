using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>
/// Issue 17's billing chain through the gateway with every service running: a Dutch business orders (invoice with
/// 21 % VAT), staff refund 50.00 in Stripe (credit note), the service is upgraded (proration invoice), a second service
/// is ordered, the account manager allows bank transfer, the customer chooses one billing day, and the next renewal
/// comes as one consolidated invoice with a line per service. Every PDF is read back with PdfPig field by field.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class BillingChainTests(PlatformFixture platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    [Fact]
    public async Task Order_invoice_refund_credit_note_upgrade_and_a_consolidated_invoice_each_with_its_pdf()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using (var profile = await customer.PutAsync("/api/account/billing-profile", new
               {
                   company = "Chain Mailing B.V.", addressLine1 = "Damrak 2", postalCode = "1012 LG", city = "Amsterdam", country = "NL",
                   vatId = "NL819504223B01", billingEmail = "ap@chain.example",
               }))
        {
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        }

        // 1. Order -> invoice with VAT (the seller's country: 21 %).
        var (orderId, first) = await customer.OrderActiveServiceAsync(Timeout);
        var invoice = Assert.Single((await customer.GetJsonAsync("/api/invoices")).GetProperty("items").EnumerateArray());
        var period = $"{invoice.GetProperty("periodStart").GetString()} to {invoice.GetProperty("periodEnd").GetString()}";
        await AssertPdfAsync(customer, $"/api/invoices/{Id(invoice)}/pdf",
            "INVOICE", $"Invoice number {Number(invoice)}", "ProMTA B.V.", "VAT ID: NL123456782B01", "Bill to", "Chain Mailing B.V.", "Damrak 2",
            "VAT ID: NL819504223B01", $"Service period {period}", "ProMTA Starter, monthly subscription (prepaid) 149.00 EUR 21% 31.29 EUR 180.29 EUR",
            "Net total 149.00 EUR", "VAT 21% 31.29 EUR", "Total 180.29 EUR", "Payment: paid by card (Stripe)");

        // 2. Staff refund 50.00 in Stripe -> credit note, split like the invoice: VAT round(5000 x 3129 / 18029) = 868.
        using var stripe = platform.ServiceClient("stripe-emulator");
        stripe.DefaultRequestHeaders.Authorization = new("Bearer", "sk_test_staff_dashboard");
        var ledger = await stripe.GetFromJsonAsync<JsonElement>("/_emulator/ledger");
        var paymentIntent = ledger.GetProperty("data").EnumerateArray()
            .Single(e => e.GetProperty("status").GetString() == "succeeded" && e.GetProperty("metadata").TryGetProperty("order_id", out var o) && o.GetString() == orderId.ToString())
            .GetProperty("payment_intent").GetString()!;
        using (var refund = await stripe.PostAsync("/v1/refunds", new FormUrlEncodedContent(
                   new Dictionary<string, string> { ["payment_intent"] = paymentIntent, ["amount"] = "5000" })))
        {
            Assert.True(refund.IsSuccessStatusCode, await refund.Content.ReadAsStringAsync());
        }
        var notes = await customer.WaitForAsync("/api/credit-notes", n => n.GetProperty("total").GetInt32() == 1, Timeout);
        var note = Assert.Single(notes.GetProperty("items").EnumerateArray());
        Assert.Equal((50.00m, 8.68m, 41.32m, Number(invoice)), (note.GetProperty("amount").GetDecimal(), note.GetProperty("vat").GetDecimal(),
            note.GetProperty("net").GetDecimal(), note.GetProperty("invoiceNumber").GetInt64()));
        await AssertPdfAsync(customer, $"/api/credit-notes/{Id(note)}/pdf",
            "CREDIT NOTE", $"Credit note number {note.GetProperty("displayNumber").GetString()}", $"Credits invoice {Number(invoice)}", "Credited to",
            "Chain Mailing B.V.", "Net total 41.32 EUR", "VAT 21% 8.68 EUR", "Total credited 50.00 EUR");
        Assert.Equal("Paid", (await customer.GetJsonAsync($"/api/invoices/{Id(invoice)}")).GetProperty("status").GetString()); // never edited

        // 3. Upgrade to Business the day of the order: the whole period is left, 250.00 net + 21 % = 302.50.
        var upgrade = await PlanChangeWhenLiveAsync(customer, first);
        Assert.Equal((250.00m, 52.50m, 302.50m), (upgrade.GetProperty("change").GetProperty("amountNowNet").GetDecimal(),
            upgrade.GetProperty("change").GetProperty("amountNowVat").GetDecimal(), upgrade.GetProperty("change").GetProperty("amountNow").GetDecimal()));
        var proration = await customer.GetJsonAsync($"/api/invoices/{upgrade.GetProperty("invoiceId").GetGuid()}");
        Assert.Equal(("Proration", "Paid", 302.50m), (proration.GetProperty("kind").GetString(), proration.GetProperty("status").GetString(),
            proration.GetProperty("amount").GetDecimal()));
        await AssertPdfAsync(customer, $"/api/invoices/{Id(proration)}/pdf",
            $"Invoice number {Number(proration)}", "ProMTA Business (upgrade from ProMTA Starter),", "250.00 EUR 21% 52.50 EUR 302.50 EUR", "prorated:",
            "Net total 250.00 EUR", "VAT 21% 52.50 EUR", "Total 302.50 EUR", "Payment: paid by card (Stripe)");

        // 4. A second service; the account manager allows bank transfer (rule 8); the customer picks one billing day.
        var (_, second, _) = await customer.PlaceCardOrderAsync();
        await customer.WaitForAsync("/api/invoices", i => i.GetProperty("total").GetInt32() == 3, Timeout);
        var customerId = await platform.CustomerIdAsync(customer.Email);
        using (var approved = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/customers/{customerId}/bank-transfer", new { reason = "two services, pays by transfer" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, approved.StatusCode);
        }
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Amsterdam).DateTime);
        var day = Math.Min(today.Day, 28);
        using (var chosen = await customer.PutAsync("/api/account/billing-day", new { day }))
        {
            Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        }

        // 5. The stack runs on the real clock and the first renewal is due in about two weeks: the test moves the two
        // services' renewal dates to today in Billing's database (nothing else), and the renewal scheduler does the rest.
        var consolidated = await ConsolidatedInvoiceAsync(customer, customerId, today);
        var lines = consolidated.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("serviceId").GetGuid());
        Assert.Equal((399.00m, 83.79m, 482.79m), Amounts(lines[first]));
        Assert.Equal((149.00m, 31.29m, 180.29m), Amounts(lines[second]));
        Assert.Equal((548.00m, 115.08m, 663.08m, "bank_transfer", "Open"), (consolidated.GetProperty("net").GetDecimal(), consolidated.GetProperty("vat").GetDecimal(),
            consolidated.GetProperty("amount").GetDecimal(), consolidated.GetProperty("paymentMethod").GetString(), consolidated.GetProperty("status").GetString()));
        Assert.All(lines.Values, l => Assert.Equal(day, DateOnly.Parse(l.GetProperty("periodStart").GetString()!, System.Globalization.CultureInfo.InvariantCulture).Day));
        var linePeriod = $"{lines[first].GetProperty("periodStart").GetString()} to {lines[first].GetProperty("periodEnd").GetString()}";
        await AssertPdfAsync(customer, $"/api/invoices/{Id(consolidated)}/pdf",
            "INVOICE", $"Invoice number {Number(consolidated)}", "Bill to", "Chain Mailing B.V.", $"Service period {linePeriod}",
            "ProMTA Business, monthly subscription (prepaid) 399.00 EUR 21% 83.79 EUR 482.79 EUR", $"Service {first}, period {linePeriod}",
            "ProMTA Starter, monthly subscription (prepaid) 149.00 EUR 21% 31.29 EUR 180.29 EUR", $"Service {second}, period {linePeriod}",
            "Net total 548.00 EUR", "VAT 21% 115.08 EUR", "Total 663.08 EUR", "Payment: open, by bank transfer of 663.08 EUR", "IBAN NL91ABNA0417164300",
            $"quoting invoice {Number(consolidated)}");
    }

    /// <summary>
    /// Moves the customer's renewal dates to today until the consolidated invoice is out: if the chosen day shortened a
    /// period first (a day of the month after the 28th), that period's transfer invoice comes first and staff mark it paid.
    /// </summary>
    private async Task<JsonElement> ConsolidatedInvoiceAsync(Customer customer, Guid customerId, DateOnly today)
    {
        await using var db = new NpgsqlConnection(await DatabaseAsync());
        await db.OpenAsync();
        for (var round = 0; round < 3; round++)
        {
            var before = (await customer.GetJsonAsync("/api/invoices")).GetProperty("total").GetInt32();
            await using (var pull = new NpgsqlCommand(
                "UPDATE billing.billed_services SET next_due_on = @today WHERE customer_id = @customer AND billing_status IN ('Active', 'PastDue')", db))
            {
                pull.Parameters.AddWithValue("today", today);
                pull.Parameters.AddWithValue("customer", customerId);
                Assert.Equal(2, await pull.ExecuteNonQueryAsync());
            }
            var invoices = await customer.WaitForAsync("/api/invoices", i => i.GetProperty("total").GetInt32() > before, Timeout);
            var items = invoices.GetProperty("items").EnumerateArray().ToList();
            if (items.FirstOrDefault(i => i.GetProperty("kind").GetString() == "Consolidated") is { ValueKind: JsonValueKind.Object } found) return found;
            foreach (var open in items.Where(i => i.GetProperty("status").GetString() == "Open" && i.GetProperty("paymentMethod").GetString() == "bank_transfer"))
            {
                using var paid = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/invoices/{Id(open)}/mark-paid");
                Assert.Equal(HttpStatusCode.NoContent, paid.StatusCode);
            }
        }
        throw new Xunit.Sdk.XunitException("No consolidated invoice after three renewal rounds");
    }

    /// <summary>The platform's database: its own resource with containers, the native server's connection string (Database=promta) without.</summary>
    private async Task<string> DatabaseAsync()
    {
        try
        {
            return await platform.ConnectionStringAsync("promta");
        }
        catch (ArgumentException)
        {
            return await platform.ConnectionStringAsync("postgres");
        }
    }

    private static async Task<JsonElement> PlanChangeWhenLiveAsync(Customer customer, Guid serviceId)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var response = await customer.PostAsync($"/api/services/{serviceId}/plan-change", new { productId = "promta-business" });
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (response.StatusCode == HttpStatusCode.OK) return body;
            // 400 until Billing has the catalogue, 409 "not live yet" until ServiceActivated reaches it.
            Assert.True(DateTime.UtcNow < deadline, $"The upgrade never answered 200; last: {(int)response.StatusCode} {body}");
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Conflict });
            await Task.Delay(250);
        }
    }

    private static async Task AssertPdfAsync(Customer customer, string path, params string[] fields)
    {
        using var pdf = await customer.GetAsync(path);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        using var document = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync());
        var text = string.Join(" ", document.GetPage(1).GetWords().Select(w => w.Text));
        Assert.All(fields, field => Assert.True(text.Contains(field, StringComparison.Ordinal), $"'{field}' not in: {text}"));
    }

    private static (decimal, decimal, decimal) Amounts(JsonElement line) =>
        (line.GetProperty("net").GetDecimal(), line.GetProperty("vat").GetDecimal(), line.GetProperty("gross").GetDecimal());

    private static Guid Id(JsonElement e) => e.GetProperty("id").GetGuid();

    private static long Number(JsonElement e) => e.GetProperty("number").GetInt64();
}
