using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <summary>A dispute as Stripe reports it, at <paramref name="ReportedAt"/> (the event's time).</summary>
public sealed record DisputeReport(string Id, long AmountMinor, string Currency, string Reason, string Status, DateTimeOffset OpenedAt, DateTimeOffset ReportedAt)
{
    /// <summary>Stripe's final statuses: the bank decided (won, lost), or an early warning closed or was prevented.</summary>
    public bool IsClosed => IsClosedStatus(Status);

    public static bool IsClosedStatus(string status) => status is "won" or "lost" or "warning_closed" or "prevented";
}

public sealed record DisputeRow(
    string Id, Guid InvoiceId, long InvoiceNumber, Guid CustomerId, Guid ServiceId, long AmountMinor, string Currency, string Reason, string Status,
    DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt);

public static class DisputeRepository
{
    private const string StateSql = "SELECT status, status_at FROM disputes WHERE id = @Id FOR UPDATE";
    private const string InsertSql = """
        INSERT INTO disputes (id, invoice_id, customer_id, service_id, amount_minor, currency, reason, status, opened_at, closed_at, status_at)
        VALUES (@Id, @InvoiceId, @CustomerId, @ServiceId, @AmountMinor, @Currency, @Reason, @Status, @OpenedAt, @ClosedAt, @ReportedAt)
        """;
    private const string UpdateSql = """
        UPDATE disputes SET status = @Status, reason = @Reason, amount_minor = @AmountMinor, closed_at = @ClosedAt, status_at = @ReportedAt WHERE id = @Id
        """;
    // @AccountManagerId NULL: an operator sees every customer's disputes.
    private const string ListSql = """
        SELECT d.id, d.invoice_id, i.number AS invoice_number, d.customer_id, d.service_id, d.amount_minor, d.currency, d.reason, d.status,
               d.opened_at, d.closed_at
        FROM disputes d JOIN invoices i ON i.id = d.invoice_id
        WHERE (@OpenOnly = false OR d.closed_at IS NULL)
          AND (@AccountManagerId::uuid IS NULL OR d.customer_id IN (SELECT customer_id FROM account_managers WHERE account_manager_id = @AccountManagerId))
        ORDER BY d.opened_at DESC, d.id LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = """
        SELECT count(*) FROM disputes d
        WHERE (@OpenOnly = false OR d.closed_at IS NULL)
          AND (@AccountManagerId::uuid IS NULL OR d.customer_id IN (SELECT customer_id FROM account_managers WHERE account_manager_id = @AccountManagerId))
        """;

    public static Task<RefundState?> FindStateAsync(UnitOfWork work, string disputeId) =>
        work.QuerySingleOrDefaultAsync<RefundState>(StateSql, new { Id = disputeId });

    public static Task InsertAsync(UnitOfWork work, PaidByStripe invoice, DisputeReport dispute) => work.ExecuteAsync(InsertSql, new
    {
        dispute.Id, invoice.InvoiceId, invoice.CustomerId, invoice.ServiceId, dispute.AmountMinor, dispute.Currency, dispute.Reason, dispute.Status,
        dispute.OpenedAt, ClosedAt = dispute.IsClosed ? dispute.ReportedAt : (DateTimeOffset?)null, dispute.ReportedAt,
    });

    public static Task UpdateAsync(UnitOfWork work, DisputeReport dispute) => work.ExecuteAsync(UpdateSql, new
    {
        dispute.Id, dispute.Status, dispute.Reason, dispute.AmountMinor, ClosedAt = dispute.IsClosed ? dispute.ReportedAt : (DateTimeOffset?)null, dispute.ReportedAt,
    });

    public static async Task<(IReadOnlyList<DisputeRow> Items, long Total)> ListAsync(
        Database db, Guid? accountManagerId, bool openOnly, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var filter = new { AccountManagerId = accountManagerId, OpenOnly = openOnly, Limit = pageSize, Offset = (page - 1) * pageSize };
        var items = await connection.QueryAsync<DisputeRow>(ListSql, filter);
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(CountSql, filter));
    }
}
