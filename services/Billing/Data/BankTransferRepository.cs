using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

public static class BankTransferRepository
{
    /// <summary>Services that still run (and so still renew); the rule counts these.</summary>
    private const string RunningServicesSql = """
        SELECT count(*) FROM billed_services WHERE customer_id = @CustomerId AND billing_status IN ('Active', 'PastDue', 'Suspended')
        """;
    private const string ApprovedSql = "SELECT EXISTS (SELECT 1 FROM bank_transfer_approvals WHERE customer_id = @CustomerId)";
    private const string ApproveSql = """
        INSERT INTO bank_transfer_approvals (customer_id, approved_by, approved_at, reason) VALUES (@CustomerId, @Actor, @At, @Reason)
        ON CONFLICT (customer_id) DO UPDATE SET approved_by = excluded.approved_by, approved_at = excluded.approved_at, reason = excluded.reason
        """;
    private const string RevokeSql = "DELETE FROM bank_transfer_approvals WHERE customer_id = @CustomerId";
    private const string AuditSql = """
        INSERT INTO bank_transfer_audit (id, customer_id, action, actor, at, reason) VALUES (@Id, @CustomerId, @Action, @Actor, @At, @Reason)
        """;
    private const string MarkMethodSql = "UPDATE invoices SET payment_method = 'bank_transfer' WHERE id = @Id";
    private const string OpenTransferInvoiceSql = """
        SELECT i.period_index, s.service_id FROM invoices i JOIN billed_services s ON s.service_id = i.service_id
        WHERE i.id = @Id AND i.status = 'Open' AND i.payment_method = 'bank_transfer'
        """;

    /// <summary>The customer of an open proration invoice (a plan change's) to pay by transfer, or null.</summary>
    public static Task<Guid?> OpenProrationOwnerAsync(UnitOfWork work, Guid invoiceId) => work.QuerySingleOrDefaultAsync<Guid?>(
        "SELECT customer_id FROM invoices WHERE id = @Id AND kind = 'Proration' AND status = 'Open' AND payment_method = 'bank_transfer'", new { Id = invoiceId });

    public static async Task<long> InvoiceNumberAsync(UnitOfWork work, Guid invoiceId) =>
        await work.ExecuteScalarAsync<long>("SELECT number FROM invoices WHERE id = @Id", new { Id = invoiceId });

    public static async Task<long> RunningServicesAsync(UnitOfWork work, Guid customerId) =>
        await work.ExecuteScalarAsync<long>(RunningServicesSql, new { CustomerId = customerId });

    public static async Task<bool> ApprovedAsync(UnitOfWork work, Guid customerId) =>
        await work.ExecuteScalarAsync<bool>(ApprovedSql, new { CustomerId = customerId });

    /// <summary>Rule 8 at the moment of invoicing: approved, and still more than one service (else back to card).</summary>
    public static async Task<bool> AppliesAsync(UnitOfWork work, Guid customerId) =>
        await work.ExecuteScalarAsync<bool>(ApprovedSql, new { CustomerId = customerId }) && await RunningServicesAsync(work, customerId) > 1;

    public static async Task ApproveAsync(UnitOfWork work, Guid customerId, Guid actor, DateTimeOffset at, string reason)
    {
        await work.ExecuteAsync(ApproveSql, new { CustomerId = customerId, Actor = actor, At = at, Reason = reason });
        await work.ExecuteAsync(AuditSql, new { Id = Guid.CreateVersion7(), CustomerId = customerId, Action = "Approved", Actor = actor, At = at, Reason = reason });
    }

    public static async Task<bool> RevokeAsync(UnitOfWork work, Guid customerId, Guid actor, DateTimeOffset at, string reason)
    {
        if (await work.ExecuteAsync(RevokeSql, new { CustomerId = customerId }) == 0) return false;
        await work.ExecuteAsync(AuditSql, new { Id = Guid.CreateVersion7(), CustomerId = customerId, Action = "Revoked", Actor = actor, At = at, Reason = reason });
        return true;
    }

    public static Task MarkInvoiceByTransferAsync(UnitOfWork work, Guid invoiceId) => work.ExecuteAsync(MarkMethodSql, new { Id = invoiceId });

    public static Task<(int PeriodIndex, Guid ServiceId)?> FindOpenTransferInvoiceAsync(UnitOfWork work, Guid invoiceId) =>
        work.QuerySingleOrDefaultAsync<(int PeriodIndex, Guid ServiceId)?>(OpenTransferInvoiceSql, new { Id = invoiceId });
}
