using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Renewals;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>
/// Consolidated billing (issue 17, section 5) through Billing's HTTP API, with the renewals run on the days that
/// matter. The worked example of docs/billing.md: a Dutch customer without a VAT id (21 %) approved for bank transfer,
/// ProMTA Starter ordered on 5 December 2026 and ProMTA Business on 20 December, chooses day 1 on 10 December.
/// </summary>
public sealed class ConsolidatedBillingTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateOnly StarterOrdered = new(2026, 12, 5), BusinessOrdered = new(2026, 12, 20);

    [Fact]
    public async Task Choosing_day_1_shortens_each_next_unpaid_period_to_it_and_then_both_services_renew_on_one_invoice()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var (customerId, starter, business) = await SeedTwoServicesAsync(stack);
        using var customer = stack.ClientFor(customerId);
        using var staff = stack.ClientFor(Guid.NewGuid(), Roles.Operator);

        // The preview says what each service's next unpaid period becomes; nothing is stored yet.
        var preview = await stack.GetJsonAsync(customer, "/api/account/billing-day?day=1");
        Assert.True(preview.GetProperty("eligible").GetBoolean());
        Assert.Equal(JsonValueKind.Null, preview.GetProperty("day").ValueKind);
        var moves = preview.GetProperty("services").EnumerateArray().ToDictionary(m => m.GetProperty("serviceId").GetGuid());
        // Starter: 5 Jan to 31 Jan = 27 of the 31 days of 5 Jan - 4 Feb: 14900 x 27 / 31 = 12977.4 -> 129.77
        Assert.Equal(("2027-01-05", "2027-01-31", 27, 31, 129.77m, "2027-02-01"), Move(moves[starter]));
        // Business: 20 Jan to 31 Jan = 12 of 31 days: 39900 x 12 / 31 = 15445.2 -> 154.45
        Assert.Equal(("2027-01-20", "2027-01-31", 12, 31, 154.45m, "2027-02-01"), Move(moves[business]));

        using (var chosen = await customer.PutAsJsonAsync("/api/account/billing-day", new { day = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
            Assert.Equal(1, (await chosen.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("day").GetInt32());
        }

        // The shortened periods are invoiced on their usual charge dates, to be paid by transfer.
        await RenewAsync(stack, new DateOnly(2026, 12, 22));
        var starterTransition = await InvoiceAsync(customer, 3);
        Assert.Equal(("2027-01-05", "2027-01-31", 129.77m, 27.25m, 157.02m, "bank_transfer", "Open"), Summary(starterTransition));
        Assert.Contains("ProMTA Starter, to the common billing day (prepaid), prorated: 27/31 days x 149.00", starterTransition.GetProperty("description").GetString());
        await MarkPaidAsync(staff, starterTransition);
        await RenewAsync(stack, new DateOnly(2027, 1, 6));
        var businessTransition = await InvoiceAsync(customer, 4);
        Assert.Equal(("2027-01-20", "2027-01-31", 154.45m, 32.43m, 186.88m, "bank_transfer", "Open"), Summary(businessTransition));
        await MarkPaidAsync(staff, businessTransition);

        // From February: one invoice on 18 January (14 days before 1 February), a line per service.
        for (var day = new DateOnly(2027, 1, 7); day <= new DateOnly(2027, 1, 18); day = day.AddDays(1)) await RenewAsync(stack, day);
        var consolidated = await InvoiceAsync(customer, 5);
        Assert.Equal(("2027-02-01", "2027-02-28", 548.00m, 115.08m, 663.08m, "bank_transfer", "Open"), Summary(consolidated));
        Assert.Equal("Consolidated", consolidated.GetProperty("kind").GetString());
        var lines = consolidated.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal((starter, "2027-02-01", "2027-02-28", 149.00m, 31.29m, 180.29m), Line(lines[0]));
        Assert.Equal((business, "2027-02-01", "2027-02-28", 399.00m, 83.79m, 482.79m), Line(lines[1]));
        Assert.Equal(5, await stack.ScalarAsync<long>("SELECT count(*) FROM invoices"));
        Assert.Equal(5, await stack.ScalarAsync<long>("SELECT max(number) FROM invoices")); // gapless, in the normal series

        var text = PdfText.Read(await customer.GetByteArrayAsync($"/api/invoices/{consolidated.GetProperty("id").GetGuid()}/pdf"));
        string[] fields =
        [
            "INVOICE", "Invoice number 5", "Service period 2027-02-01 to 2027-02-28", "Bill to",
            "ProMTA Starter, monthly subscription (prepaid) 149.00 EUR 21% 31.29 EUR 180.29 EUR", $"Service {starter}, period 2027-02-01 to 2027-02-28",
            "ProMTA Business, monthly subscription (prepaid) 399.00 EUR 21% 83.79 EUR 482.79 EUR", $"Service {business}, period 2027-02-01 to 2027-02-28",
            "Net total 548.00 EUR", "VAT 21% 115.08 EUR", "Total 663.08 EUR",
            "Payment: open, by bank transfer of 663.08 EUR before 2027-02-01", "IBAN NL91ABNA0417164300", "quoting invoice 5",
        ];
        Assert.All(fields, field => Assert.Contains(field, text));

        // The account manager revokes bank transfer meanwhile: the periods already on the open invoice stay there (never
        // invoiced twice, never charged to the card). Unpaid when the period starts: both services are suspended together;
        // the transfer resumes both.
        await using (var work = await stack.Database.BeginAsync())
        {
            Assert.True(await BankTransferRepository.RevokeAsync(work, customerId, Guid.NewGuid(), DateTimeOffset.UtcNow, "test: revoked while the invoice is open"));
            await work.CommitAsync();
        }
        for (var day = new DateOnly(2027, 1, 19); day <= new DateOnly(2027, 2, 1); day = day.AddDays(1)) await RenewAsync(stack, day);
        Assert.Equal(2, await stack.ScalarAsync<long>("SELECT count(*) FROM billed_services WHERE billing_status = 'Suspended'"));
        Assert.Equal(5, await stack.ScalarAsync<long>("SELECT count(*) FROM invoices"));
        await MarkPaidAsync(staff, consolidated);
        Assert.Equal("Paid", (await InvoiceAsync(customer, 5)).GetProperty("status").GetString());
        var states = await stack.ListAsync<(string Status, int NextPeriod, DateOnly NextDue)>(
            "SELECT billing_status, next_period, next_due_on FROM billed_services ORDER BY ordered_on");
        Assert.All(states, s => Assert.Equal(("Active", new DateOnly(2027, 2, 15)), (s.Status, s.NextDue)));
        Assert.Equal(2, await stack.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PaymentSucceeded' AND body->>'periodStart' = '2027-02-01' AND body->>'periodEnd' = '2027-03-01'"));
        Assert.Equal(2, await stack.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%ServiceResumed'"));

        // The day is chosen once; a bad day is a 400 naming it.
        using (var again = await customer.PutAsJsonAsync("/api/account/billing-day", new { day = 15 }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }
        foreach (var bad in new object[] { new { day = 29 }, new { day = 0 }, new { } })
        {
            using var refused = await customer.PutAsJsonAsync("/api/account/billing-day", bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("day", out _));
        }
    }

    [Fact]
    public async Task A_customer_with_one_service_or_without_transfer_approval_cannot_choose_a_day()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var paid = await stack.PayFirstMonthAsync("pm_card_visa");
        await stack.PayFirstMonthAsync("pm_card_visa", customerId: paid.CustomerId);
        using var customer = stack.ClientFor(paid.CustomerId);
        Assert.False((await stack.GetJsonAsync(customer, "/api/account/billing-day")).GetProperty("eligible").GetBoolean());
        using var refused = await customer.PutAsJsonAsync("/api/account/billing-day", new { day = 1 });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("rule 8", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task New_services_join_the_day_from_their_first_period_which_ends_on_the_first_common_day_still_ahead_of_its_charge_date()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var (customerId, _, _) = await SeedTwoServicesAsync(stack);
        using var customer = stack.ClientFor(customerId);
        Assert.Equal(HttpStatusCode.OK, (await customer.PutAsJsonAsync("/api/account/billing-day", new { day = 1 })).StatusCode);

        // 10 January: 1 February is charged on 18 January, still ahead: 10 Jan - 31 Jan, 22/31 days x 149.00 = 105.74 net.
        await stack.PlaceOrderAsync(customerId, "pm_card_visa", Amsterdam10(new DateOnly(2027, 1, 10)));
        // 25 January: 1 February's charge date (18 January) is past: to 1 March, 35/31 days = 168.23 net (it starts a month of its own).
        await stack.PlaceOrderAsync(customerId, "pm_card_visa", Amsterdam10(new DateOnly(2027, 1, 25)));
        // 1 February, the common day itself: a whole month to 1 March.
        await stack.PlaceOrderAsync(customerId, "pm_card_visa", Amsterdam10(new DateOnly(2027, 2, 1)));

        var firsts = await stack.ListAsync<(DateOnly Start, DateOnly End, long Net, long Amount, string Line, DateOnly NextDue)>("""
            SELECT i.period_start, i.period_end, i.net_minor, i.amount_minor, i.line_description, s.next_due_on
            FROM invoices i JOIN billed_services s USING (service_id) WHERE i.period_index = 0 AND s.anchor_period = 1 ORDER BY i.period_start
            """);
        // PlaceOrderAsync orders ProMTA Business priced 149.00 (the stack's order), so the numbers are Starter's.
        Assert.Equal((new DateOnly(2027, 1, 10), new DateOnly(2027, 2, 1), 10574L, 12795L, new DateOnly(2027, 1, 18)),
            (firsts[0].Start, firsts[0].End, firsts[0].Net, firsts[0].Amount, firsts[0].NextDue));
        Assert.Contains("prorated: 22/31 days x 149.00", firsts[0].Line);
        Assert.Equal((new DateOnly(2027, 1, 25), new DateOnly(2027, 3, 1), 16823L, 20356L, new DateOnly(2027, 2, 15)),
            (firsts[1].Start, firsts[1].End, firsts[1].Net, firsts[1].Amount, firsts[1].NextDue));
        Assert.Equal((new DateOnly(2027, 2, 1), new DateOnly(2027, 3, 1), 14900L, 18029L, new DateOnly(2027, 2, 15)),
            (firsts[2].Start, firsts[2].End, firsts[2].Net, firsts[2].Amount, firsts[2].NextDue));
        Assert.Equal("ProMTA Business, monthly subscription (prepaid)", firsts[2].Line);
    }

    [Fact]
    public async Task A_service_cancelled_in_time_stays_off_the_consolidated_invoice_and_the_last_one_left_goes_back_to_card()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        // Ordered on 1 and 15 January 2027, day 1 chosen on 5 January: the first needs no shortening (its next period
        // starts on 1 February); the second's period from 15 February is shortened to 28 February (14/28 days).
        var (customerId, first, second) = await SeedTwoServicesAsync(stack, new DateOnly(2027, 1, 1), new DateOnly(2027, 1, 15), secondPrice: 39900);
        using var customer = stack.ClientFor(customerId);
        Assert.Equal(HttpStatusCode.OK, (await customer.PutAsJsonAsync("/api/account/billing-day", new { day = 1 })).StatusCode);
        Assert.Equal((new DateOnly(2027, 2, 1), 1), Assert.Single(await stack.ListAsync<(DateOnly, int)>(
            "SELECT anchor_on, anchor_period FROM billed_services WHERE service_id = @First", new { First = first })));

        // The first is cancelled on 10 January, before the deadline of 1 February (end of 17 January): it ends on 31 January.
        await using (var work = await stack.Database.BeginAsync())
        {
            var found = await CancellationRepository.FindForUpdateAsync(work, customerId, first);
            var outcome = stack.Service<CancellationPolicy>().Decide(found!.Calendar, Amsterdam10(new DateOnly(2027, 1, 10)));
            Assert.Equal((new DateOnly(2027, 1, 31), false), (outcome.LastDay, outcome.ChargedAgain));
            await CancellationRepository.CancelAsync(work, first, Amsterdam10(new DateOnly(2027, 1, 10)), outcome.LastDay, outcome.ChargedAgain);
            await work.CommitAsync();
        }

        for (var day = new DateOnly(2027, 1, 18); day <= new DateOnly(2027, 2, 15); day = day.AddDays(1)) await RenewAsync(stack, day);
        Assert.Equal("Ended", await stack.ScalarAsync<string>("SELECT billing_status FROM billed_services WHERE service_id = @First", new { First = first }));
        Assert.Equal(0, await stack.ScalarAsync<long>("SELECT count(*) FROM invoices WHERE kind = 'Consolidated'"));
        // One service left (rule 8): its shortened period (1 Feb) and its first period on the common day (15 Feb) go to the card.
        var renewals = await stack.ListAsync<(DateOnly Start, DateOnly End, long Net, string Kind, string Method, string Status)>(
            "SELECT period_start, period_end, net_minor, kind, payment_method, status FROM invoices WHERE service_id = @Second AND period_index > 0 ORDER BY period_index",
            new { Second = second });
        Assert.Equal([
            (new DateOnly(2027, 2, 15), new DateOnly(2027, 3, 1), 19950L, "Period", "card", "Paid"),
            (new DateOnly(2027, 3, 1), new DateOnly(2027, 4, 1), 39900L, "Period", "card", "Paid"),
        ], renewals);
    }

    [Fact]
    public async Task A_bank_transfer_customer_s_upgrade_applies_now_with_a_proration_invoice_to_pay_by_transfer_within_14_days()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var (customerId, starter, _) = await SeedTwoServicesAsync(stack);
        await using (var work = await stack.Database.BeginAsync())
        {
            await BillingSeed.CatalogueAsync(work);
            await BillingSeed.LiveAsync(work, starter, Amsterdam10(StarterOrdered).AddHours(1));
            await work.CommitAsync();
        }
        var amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Amsterdam10(new DateOnly(2026, 12, 20)));
        var outcome = await BillingSeed.PlanChanger(stack.Database, stack.Payments, time, amsterdam).ApplyAsync(customerId, starter, "promta-business",
            CancellationToken.None);

        // The worked example of docs/billing.md (16/31 days x 250.00 = 129.03 + 21 % = 156.13), not charged to the card.
        var result = Assert.IsType<PlanChanges.PlanChangeOutcome.Done>(outcome).Result;
        Assert.Equal(("Applied", 156.13m), (result.Status, result.Change.AmountNow));
        using var customer = stack.ClientFor(customerId);
        var invoice = await InvoiceAsync(customer, result.InvoiceNumber!.Value);
        Assert.Equal(("2026-12-20", "2027-01-04", 129.03m, 27.10m, 156.13m, "bank_transfer", "Open"), Summary(invoice));
        Assert.Equal("promta-business", await stack.ScalarAsync<string>("SELECT product_id FROM billed_services WHERE service_id = @Starter", new { Starter = starter }));
        Assert.Equal(0, await stack.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE message_type LIKE '%PaymentSucceeded'"));
        var text = PdfText.Read(await customer.GetByteArrayAsync($"/api/invoices/{invoice.GetProperty("id").GetGuid()}/pdf"));
        Assert.Contains("Payment: open, by bank transfer of 156.13 EUR before 2027-01-03", text);
        Assert.True(text.Contains("(upgrade from ProMTA Starter)", StringComparison.Ordinal) && text.Contains("16/31 days", StringComparison.Ordinal), text);

        using var staff = stack.ClientFor(Guid.NewGuid(), Roles.Operator);
        await MarkPaidAsync(staff, invoice);
        Assert.Equal("Paid", (await InvoiceAsync(customer, result.InvoiceNumber.Value)).GetProperty("status").GetString());
    }

    private static (string?, string?, int?, int?, decimal?, string?) Move(JsonElement m) =>
        (m.GetProperty("transitionStart").GetString(), m.GetProperty("transitionEnd").GetString(), m.GetProperty("transitionDays").GetInt32(),
         m.GetProperty("monthDays").GetInt32(), m.GetProperty("transitionNet").GetDecimal(), m.GetProperty("firstCommonPeriodStart").GetString());

    private static (string?, string?, decimal, decimal, decimal, string?, string?) Summary(JsonElement i) =>
        (i.GetProperty("periodStart").GetString(), i.GetProperty("periodEnd").GetString(), i.GetProperty("net").GetDecimal(), i.GetProperty("vat").GetDecimal(),
         i.GetProperty("amount").GetDecimal(), i.GetProperty("paymentMethod").GetString(), i.GetProperty("status").GetString());

    private static (Guid, string?, string?, decimal, decimal, decimal) Line(JsonElement l) =>
        (l.GetProperty("serviceId").GetGuid(), l.GetProperty("periodStart").GetString(), l.GetProperty("periodEnd").GetString(),
         l.GetProperty("net").GetDecimal(), l.GetProperty("vat").GetDecimal(), l.GetProperty("gross").GetDecimal());

    private static async Task<JsonElement> InvoiceAsync(HttpClient customer, long number) =>
        (await customer.GetFromJsonAsync<JsonElement>("/api/invoices?pageSize=100")).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("number").GetInt64() == number);

    private static async Task MarkPaidAsync(HttpClient staff, JsonElement invoice)
    {
        using var paid = await staff.PostAsync($"/api/admin/invoices/{invoice.GetProperty("id").GetGuid()}/mark-paid", null);
        Assert.Equal(HttpStatusCode.NoContent, paid.StatusCode);
    }

    private static Task RenewAsync(BillingStack stack, DateOnly day) => stack.Service<RenewalProcessor>().RunAsync(day, CancellationToken.None);

    /// <summary>A customer approved for bank transfer with two paid services (Starter, then a second one), invoices 1 and 2.</summary>
    private static async Task<(Guid Customer, Guid First, Guid Second)> SeedTwoServicesAsync(BillingStack stack, DateOnly? firstOn = null, DateOnly? secondOn = null,
        long secondPrice = 39900)
    {
        var customerId = Guid.NewGuid();
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        var stripeCustomer = await stack.Payments.CreateCustomerAsync(customerId, "finance@example.test", "Finance", CancellationToken.None);
        var card = await stack.Payments.AttachPaymentMethodAsync(stripeCustomer, "pm_card_visa", customerId.ToString(), CancellationToken.None);
        await using var work = await stack.Database.BeginAsync();
        await BillingRepository.AddAccountAsync(work, customerId, stripeCustomer, DateTimeOffset.UtcNow);
        foreach (var (serviceId, orderedOn, product, name, price) in new[]
                 {
                     (first, firstOn ?? StarterOrdered, "promta-starter", "ProMTA Starter", 14900L),
                     (second, secondOn ?? BusinessOrdered, "promta-business", "ProMTA Business", secondPrice),
                 })
        {
            await BillingRepository.AddServiceAsync(work, BillingSeed.ActiveStarter(serviceId, customerId, orderedOn, orderedOn.Day, card, Amsterdam10(orderedOn), price)
                with { ProductId = product, ProductName = name });
            var invoiceId = Guid.CreateVersion7();
            await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, serviceId, customerId, 0, orderedOn,
                BillingCalendar.PeriodEnd(orderedOn, 0), price, "EUR", Amsterdam10(orderedOn)));
            await BillingRepository.MarkPaidAsync(work, invoiceId, $"pi_seed_{serviceId:N}", Amsterdam10(orderedOn));
        }
        await BankTransferRepository.ApproveAsync(work, customerId, Guid.NewGuid(), DateTimeOffset.UtcNow, "two services, pays by transfer");
        await work.CommitAsync();
        return (customerId, first, second);
    }

    private static DateTimeOffset Amsterdam10(DateOnly day) => new(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
}
