using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

public sealed record PaymentEventState(string? FailureReason, string? PayUrl);

/// <summary>What an open invoice last told the customer about its payment.</summary>
public static class PaymentEventRepository
{
    private const string FindSql = "SELECT failure_reason, pay_url FROM invoices WHERE id = @Id";
    private const string SaveSql = "UPDATE invoices SET failure_reason = @Reason, pay_url = @PayUrl WHERE id = @Id";

    public static async Task<PaymentEventState> FindAsync(UnitOfWork work, Guid invoiceId) =>
        (await work.QuerySingleOrDefaultAsync<PaymentEventState>(FindSql, new { Id = invoiceId }))!;

    public static Task SaveAsync(UnitOfWork work, Guid invoiceId, string reason, string? payUrl) =>
        work.ExecuteAsync(SaveSql, new { Id = invoiceId, Reason = reason, PayUrl = payUrl });
}
