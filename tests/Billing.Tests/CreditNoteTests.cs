using System.Net;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>Refunds make credit notes (their own gapless series, referencing the invoice), never an edit of the invoice.</summary>
public sealed class CreditNoteTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset OrderedAt = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Partial_refunds_make_one_credit_note_each_that_add_up_to_the_invoice()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        using var customer = stack.ClientFor(customerId);
        await stack.PlaceOrderAsync(customerId, "pm_card_visa", OrderedAt); // 149.00 + 21 % VAT = 180.29
        var invoice = Assert.Single((await stack.GetJsonAsync(customer, "/api/invoices")).GetProperty("items").EnumerateArray());
        var paymentIntent = await stack.ScalarAsync<string>("SELECT stripe_payment_intent_id FROM invoices");

        // Staff refund 50.00 in Stripe's dashboard, then the rest; Stripe reports each by webhook (several events each).
        var refunds = new global::Stripe.RefundService(new global::Stripe.StripeClient("sk_test_dashboard", apiBase: stack.Emulator.BaseAddress!.ToString().TrimEnd('/')));
        await refunds.CreateAsync(new global::Stripe.RefundCreateOptions { PaymentIntent = paymentIntent, Amount = 5000 });
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM credit_notes") == 1, "the first refund is credited");
        await refunds.CreateAsync(new global::Stripe.RefundCreateOptions { PaymentIntent = paymentIntent, Amount = 13029 });
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM credit_notes") == 2, "the second refund is credited");
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM stripe_events WHERE type IN ('refund.created', 'charge.refunded')") == 4,
            "every event was handled");

        var notes = (await stack.GetJsonAsync(customer, "/api/credit-notes")).GetProperty("items").EnumerateArray().OrderBy(n => n.GetProperty("number").GetInt64()).ToList();
        Assert.Equal([1L, 2L], notes.Select(n => n.GetProperty("number").GetInt64()));
        Assert.All(notes, n => Assert.Equal(invoice.GetProperty("number").GetInt64(), n.GetProperty("invoiceNumber").GetInt64()));
        Assert.Equal([(41.32m, 8.68m, 50.00m), (107.68m, 22.61m, 130.29m)],
            notes.Select(n => (n.GetProperty("net").GetDecimal(), n.GetProperty("vat").GetDecimal(), n.GetProperty("amount").GetDecimal())));
        Assert.Equal(149m, notes.Sum(n => n.GetProperty("net").GetDecimal()));
        Assert.Equal(31.29m, notes.Sum(n => n.GetProperty("vat").GetDecimal()));

        // The invoice is unchanged; its refunds are shown beside it.
        var after = await stack.GetJsonAsync(customer, $"/api/invoices/{invoice.GetProperty("id").GetGuid()}");
        Assert.Equal((180.29m, 180.29m, "Paid"), (after.GetProperty("amount").GetDecimal(), after.GetProperty("amountRefunded").GetDecimal(), after.GetProperty("status").GetString()));

        var first = notes[0];
        var text = PdfText.Read(await customer.GetByteArrayAsync($"/api/credit-notes/{first.GetProperty("id").GetGuid()}/pdf"));
        string[] fields =
        [
            "CREDIT NOTE", "Credit note number CN-1", "Credits invoice " + invoice.GetProperty("number").GetInt64(), "Service period 2026-12-05 to 2027-01-04",
            "ProMTA B.V.", "VAT ID: NL123456782B01", "Credited to", "Jane Doe", "Credit: ProMTA Business, monthly subscription", "(prepaid)", // wrapped in its column
            "Net total 41.32 EUR", "VAT 21% 8.68 EUR", "Total credited 50.00 EUR", "Reason: Refund of 50.00 EUR of invoice",
            "refunded to the card the invoice was paid with",
        ];
        Assert.All(fields, field => Assert.Contains(field, text));

        // Another customer sees none of them.
        using var stranger = stack.ClientFor(Guid.NewGuid());
        Assert.Equal(0L, (await stack.GetJsonAsync(stranger, "/api/credit-notes")).GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/credit-notes/{first.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/credit-notes/{first.GetProperty("id").GetGuid()}/pdf")).StatusCode);
        var notice = (await stack.GetJsonAsync(customer, "/api/notifications")).GetProperty("items").EnumerateArray().Select(n => n.GetProperty("message").GetString()).ToList();
        Assert.Contains(notice, m => m!.Contains("(credit note CN-1)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rejected_order_is_credited_in_full_with_the_reason()
    {
        await using var stack = await BillingStack.StartAsync(postgres);
        var customerId = Guid.NewGuid();
        using var customer = stack.ClientFor(customerId);
        var order = await stack.PlaceOrderAsync(customerId, "pm_card_visa", OrderedAt, specialRequirements: true);

        // What OrderReviewRejectedConsumer does with the reviewer's rejection.
        var refund = await Consumers.OrderReviewRejectedConsumer.RefundAsync(stack.Database, stack.Payments, order.OrderId, order.ServiceId,
            DateTimeOffset.UtcNow, CancellationToken.None);
        await using (var work = await stack.Database.BeginAsync())
        {
            await Consumers.OrderReviewRejectedConsumer.RecordAsync(work, stack.Service<Refunds.RefundRecorder>(), refund!);
            await work.CommitAsync();
        }

        var note = Assert.Single((await stack.GetJsonAsync(customer, "/api/credit-notes")).GetProperty("items").EnumerateArray());
        Assert.Equal((149m, 31.29m, 180.29m), (note.GetProperty("net").GetDecimal(), note.GetProperty("vat").GetDecimal(), note.GetProperty("amount").GetDecimal()));
        Assert.StartsWith("Order rejected in review", note.GetProperty("reason").GetString());
        // Stripe's own webhooks about the same refund credit nothing twice.
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM stripe_events WHERE type = 'refund.created'") == 1, "Stripe's webhook arrived");
        Assert.Equal(1L, await stack.ScalarAsync<long>("SELECT count(*) FROM credit_notes"));
    }
}
