using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <summary>The invoice a Stripe payment paid, whatever its state now, locked so its refunds and disputes apply one at a time.</summary>
public sealed record PaidByStripe(Guid InvoiceId, long Number, Guid ServiceId, Guid CustomerId, Guid OrderId, long AmountMinor, string Currency);

/// <summary>A refund as Stripe reports it (a webhook's snapshot or the API's current state), at <paramref name="ReportedAt"/>.</summary>
public sealed record RefundReport(string Id, long AmountMinor, string Currency, string Status, string? Reason, DateTimeOffset CreatedAt, DateTimeOffset ReportedAt);

public sealed record RefundState(string Status, DateTimeOffset StatusAt);

public static class RefundRepository
{
    private const string InvoiceByPaymentIntentSql = """
        SELECT i.id AS invoice_id, i.number, i.service_id, i.customer_id, s.order_id, i.amount_minor, i.currency
        FROM invoices i JOIN billed_services s ON s.service_id = i.service_id
        WHERE i.stripe_payment_intent_id = @PaymentIntentId
        FOR UPDATE OF i
        """;
    private const string StateSql = "SELECT status, status_at FROM refunds WHERE id = @Id FOR UPDATE";
    private const string InsertSql = """
        INSERT INTO refunds (id, invoice_id, amount_minor, currency, status, reason, created_at, status_at)
        VALUES (@Id, @InvoiceId, @AmountMinor, @Currency, @Status, @Reason, @CreatedAt, @ReportedAt)
        """;
    private const string UpdateSql = "UPDATE refunds SET status = @Status, status_at = @ReportedAt WHERE id = @Id";
    // A refund that is pending or done counts; a failed or canceled one gave the money back to us.
    private const string TotalSql = """
        UPDATE invoices SET
            amount_refunded_minor = (SELECT COALESCE(sum(amount_minor), 0) FROM refunds WHERE invoice_id = @Id AND status IN ('pending', 'requires_action', 'succeeded')),
            refunded_at = (SELECT max(created_at) FROM refunds WHERE invoice_id = @Id AND status = 'succeeded')
        WHERE id = @Id
        """;

    public static Task<PaidByStripe?> FindInvoiceAsync(UnitOfWork work, string paymentIntentId) =>
        work.QuerySingleOrDefaultAsync<PaidByStripe>(InvoiceByPaymentIntentSql, new { PaymentIntentId = paymentIntentId });

    public static Task<RefundState?> FindStateAsync(UnitOfWork work, string refundId) =>
        work.QuerySingleOrDefaultAsync<RefundState>(StateSql, new { Id = refundId });

    public static Task InsertAsync(UnitOfWork work, Guid invoiceId, RefundReport refund) =>
        work.ExecuteAsync(InsertSql, new { refund.Id, InvoiceId = invoiceId, refund.AmountMinor, refund.Currency, refund.Status, refund.Reason, refund.CreatedAt, refund.ReportedAt });

    public static Task UpdateStatusAsync(UnitOfWork work, RefundReport refund) =>
        work.ExecuteAsync(UpdateSql, new { refund.Id, refund.Status, refund.ReportedAt });

    public static Task UpdateInvoiceTotalAsync(UnitOfWork work, Guid invoiceId) => work.ExecuteAsync(TotalSql, new { Id = invoiceId });
}
