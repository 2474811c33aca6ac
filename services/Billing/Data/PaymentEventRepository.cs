using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

public sealed record PaymentEventState(string? FailureReason, string? PayUrl, long? StripeEventSeq);

/// <summary>What an open invoice last told the customer about its payment, and which Stripe event said it.</summary>
public static class PaymentEventRepository
{
    private const string FindSql = "SELECT failure_reason, pay_url, stripe_event_seq FROM invoices WHERE id = @Id";
    private const string SaveSql = "UPDATE invoices SET failure_reason = @Reason, pay_url = @PayUrl, stripe_event_seq = @Seq WHERE id = @Id";

    public static async Task<PaymentEventState> FindAsync(UnitOfWork work, Guid invoiceId) =>
        (await work.QuerySingleOrDefaultAsync<PaymentEventState>(FindSql, new { Id = invoiceId }))!;

    public static Task SaveAsync(UnitOfWork work, Guid invoiceId, string reason, string? payUrl, long sequence) =>
        work.ExecuteAsync(SaveSql, new { Id = invoiceId, Reason = reason, PayUrl = payUrl, Seq = sequence });
}
