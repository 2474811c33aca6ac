using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <param name="MailStatus">Pending, Sent, Rejected (the mail server refused it) or NoAddress.</param>
public sealed record NotificationRow(Guid Id, Guid ServiceId, string Kind, string Message, DateTimeOffset CreatedAt, string MailStatus, DateTimeOffset? MailedAt);

public sealed record InvoiceRow(
    Guid Id, long Number, Guid ServiceId, DateOnly PeriodStart, DateOnly PeriodEnd, long AmountMinor, string Currency,
    string Status, string? FailureReason, DateTimeOffset IssuedAt, DateTimeOffset? PaidAt, long AmountRefundedMinor);

public sealed class InvoiceQueries(Database db)
{
    private const string Columns = "id, number, service_id, period_start, period_end, amount_minor, currency, status, failure_reason, issued_at, paid_at, amount_refunded_minor";
    private const string FindSql = $"SELECT {Columns} FROM invoices WHERE id = @Id AND customer_id = @CustomerId";
    private const string ListSql = $"""
        SELECT {Columns} FROM invoices WHERE customer_id = @CustomerId ORDER BY number DESC LIMIT @Limit OFFSET @Offset
        """;
    private const string CountSql = "SELECT count(*) FROM invoices WHERE customer_id = @CustomerId";
    private const string NotificationsSql = """
        SELECT id, service_id, kind, message, created_at, mail_status, mailed_at FROM notifications WHERE customer_id = @CustomerId
        ORDER BY created_at DESC, id LIMIT @Limit OFFSET @Offset
        """;
    private const string NotificationsCountSql = "SELECT count(*) FROM notifications WHERE customer_id = @CustomerId";

    public async Task<InvoiceRow?> FindAsync(Guid customerId, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<InvoiceRow>(FindSql, new { CustomerId = customerId, Id = id });
    }

    public async Task<(IReadOnlyList<InvoiceRow> Items, long Total)> ListAsync(Guid customerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<InvoiceRow>(ListSql, new { CustomerId = customerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(CountSql, new { CustomerId = customerId }));
    }

    public async Task<(IReadOnlyList<NotificationRow> Items, long Total)> NotificationsAsync(Guid customerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<NotificationRow>(NotificationsSql, new { CustomerId = customerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(NotificationsCountSql, new { CustomerId = customerId }));
    }
}
