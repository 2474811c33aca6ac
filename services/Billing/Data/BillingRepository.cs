using ProMTA.Billing.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

public sealed record BilledService(
    Guid ServiceId, Guid OrderId, Guid CustomerId, string ProductId, long MonthlyPriceMinor, string Currency,
    int DedicatedIps, DateOnly OrderedOn, int BillingDay, string? StripePaymentMethodId, DateTimeOffset CreatedAt,
    string BillingStatus = "Unpaid", DateOnly? NextDueOn = null, bool RequiresReview = false, string? ProductName = null,
    DateOnly? AnchorOn = null, int? AnchorPeriod = null, DateOnly? TransitionStart = null);

/// <param name="PeriodEnd">Exclusive: the day the next period starts (the calendar's convention; documents print the day before).</param>
/// <param name="AmountMinor">The total charged, VAT included.</param>
/// <param name="Content">VAT, line and parties; null only for invoices that carry no VAT (seeded history).</param>
/// <param name="Kind">A period's own invoice, or a proration (a plan change's charge for the days left of paid periods).</param>
public sealed record NewInvoice(Guid Id, Guid ServiceId, Guid CustomerId, int PeriodIndex, DateOnly PeriodStart, DateOnly PeriodEnd,
    long AmountMinor, string Currency, DateTimeOffset IssuedAt, Invoices.InvoiceContent? Content = null, string Kind = InvoiceKind.Period);

/// <summary>How an invoice issued already paid was paid: the Stripe PaymentIntent (none for a bank transfer) and when.</summary>
public sealed record InvoicePayment(string? PaymentIntentId, DateTimeOffset PaidAt);

public sealed record PaidInvoice(Guid Id, string StripePaymentIntentId, long AmountRefundedMinor);

/// <summary>Writes of the billing state; every method runs inside the caller's unit of work.</summary>
public static class BillingRepository
{
    private const string FindAccountSql = "SELECT stripe_customer_id FROM billing_accounts WHERE customer_id = @CustomerId";
    private const string InsertAccountSql = """
        INSERT INTO billing_accounts (customer_id, stripe_customer_id, created_at) VALUES (@CustomerId, @StripeCustomerId, @CreatedAt)
        ON CONFLICT (customer_id) DO NOTHING
        """;
    private const string InsertServiceSql = """
        INSERT INTO billed_services (service_id, order_id, customer_id, product_id, monthly_price_minor, currency, dedicated_ips,
                                     ordered_on, billing_day, stripe_payment_method_id, created_at, billing_status, next_due_on, requires_review, product_name,
                                     anchor_on, anchor_period, transition_start)
        VALUES (@ServiceId, @OrderId, @CustomerId, @ProductId, @MonthlyPriceMinor, @Currency, @DedicatedIps,
                @OrderedOn, @BillingDay, @StripePaymentMethodId, @CreatedAt, @BillingStatus, @NextDueOn, @RequiresReview, @ProductName,
                @AnchorOn, @AnchorPeriod, @TransitionStart)
        """;
    // Numbered and written in one statement: the gapless counter's row stays locked from here to the commit, and every
    // other invoice waits on it, so the callers issue the invoice as late in their transaction as they can.
    private const string IssueInvoiceSql = """
        WITH numbered AS (UPDATE invoice_counter SET last_number = last_number + 1 WHERE id = 1 RETURNING last_number)
        INSERT INTO invoices (id, number, service_id, customer_id, period_index, period_start, period_end, amount_minor, currency, status, issued_at,
                              net_minor, vat_minor, vat_rate, vat_treatment, line_description, seller, buyer, kind, stripe_payment_intent_id, paid_at)
        SELECT @Id, last_number, @ServiceId, @CustomerId, @PeriodIndex, @PeriodStart, @PeriodEnd, @AmountMinor, @Currency, @Status, @IssuedAt,
               @NetMinor, @VatMinor, @VatRate, @VatTreatment, @LineDescription, @Seller::jsonb, @Buyer::jsonb, @Kind, @PaymentIntentId, @PaidAt
        FROM numbered
        RETURNING number
        """;
    private const string MarkPaidSql = """
        UPDATE invoices SET status = 'Paid', stripe_payment_intent_id = COALESCE(@PaymentIntentId, stripe_payment_intent_id), paid_at = @PaidAt, failure_reason = NULL, pay_url = NULL
        WHERE id = @Id
        """;
    private const string MarkFailedSql = """
        UPDATE invoices SET stripe_payment_intent_id = @PaymentIntentId, failure_reason = @Reason, pay_url = @PayUrl WHERE id = @Id
        """;

    private const string FirstPaidInvoiceSql = """
        SELECT id, stripe_payment_intent_id, amount_refunded_minor FROM invoices
        WHERE service_id = @ServiceId AND period_index = 0 AND kind = 'Period' AND status = 'Paid'
        FOR UPDATE
        """;

    public static Task<PaidInvoice?> FindFirstPaidInvoiceAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<PaidInvoice>(FirstPaidInvoiceSql, new { ServiceId = serviceId });

    public static Task<string?> FindStripeCustomerAsync(UnitOfWork work, Guid customerId) =>
        work.QuerySingleOrDefaultAsync<string>(FindAccountSql, new { CustomerId = customerId });

    public static Task<string?> FindStripeCustomerAsync(System.Data.IDbConnection connection, Guid customerId) =>
        Dapper.SqlMapper.QuerySingleOrDefaultAsync<string>(connection, FindAccountSql, new { CustomerId = customerId });

    public static Task AddAccountAsync(UnitOfWork work, Guid customerId, string stripeCustomerId, DateTimeOffset now) =>
        work.ExecuteAsync(InsertAccountSql, new { CustomerId = customerId, StripeCustomerId = stripeCustomerId, CreatedAt = now });

    public static Task AddServiceAsync(UnitOfWork work, BilledService service) => work.ExecuteAsync(InsertServiceSql, service);

    /// <summary>
    /// Numbers and writes an invoice, open or, with <paramref name="paid"/>, already paid; returns its number. The number
    /// commits (or rolls back) with the invoice.
    /// </summary>
    public static async Task<long> IssueInvoiceAsync(UnitOfWork work, NewInvoice invoice, InvoicePayment? paid = null)
    {
        var content = invoice.Content;
        if (content is not null && content.GrossMinor != invoice.AmountMinor)
        {
            throw new ArgumentException($"Invoice amount {invoice.AmountMinor} is not its net plus VAT ({content.GrossMinor})", nameof(invoice));
        }
        return await work.ExecuteScalarAsync<long>(IssueInvoiceSql, new
        {
            invoice.Id, invoice.ServiceId, invoice.CustomerId, invoice.PeriodIndex, invoice.PeriodStart,
            invoice.PeriodEnd, invoice.AmountMinor, invoice.Currency, Status = paid is null ? InvoiceStatus.Open : InvoiceStatus.Paid, invoice.IssuedAt,
            NetMinor = content?.NetMinor ?? invoice.AmountMinor, VatMinor = content?.VatMinor ?? 0, VatRate = content?.VatRate ?? 0m,
            VatTreatment = content?.VatTreatment ?? Vat.VatTreatment.NotCharged, LineDescription = content?.LineDescription,
            Seller = content?.Seller.ToJson(), Buyer = content?.Buyer.ToJson(), invoice.Kind,
            PaymentIntentId = paid?.PaymentIntentId, PaidAt = paid?.PaidAt,
        });
    }

    public static Task MarkPaidAsync(UnitOfWork work, Guid invoiceId, string? paymentIntentId, DateTimeOffset paidAt) =>
        work.ExecuteAsync(MarkPaidSql, new { Id = invoiceId, PaymentIntentId = paymentIntentId, PaidAt = paidAt });

    public static Task MarkFailedAsync(UnitOfWork work, Guid invoiceId, string? paymentIntentId, string reason, string? payUrl = null) =>
        work.ExecuteAsync(MarkFailedSql, new { Id = invoiceId, PaymentIntentId = paymentIntentId, Reason = reason, PayUrl = payUrl });
}
