using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <param name="MailStatus">Pending, Sent, Rejected (the mail server refused it) or NoAddress.</param>
public sealed record NotificationRow(Guid Id, Guid ServiceId, string Kind, string Message, DateTimeOffset CreatedAt, string MailStatus, DateTimeOffset? MailedAt);

/// <param name="PeriodEnd">Exclusive, as stored: the day the next period starts.</param>
/// <param name="AmountMinor">The total charged, VAT included.</param>
public sealed record InvoiceRow(
    Guid Id, long Number, Guid ServiceId, DateOnly PeriodStart, DateOnly PeriodEnd, long AmountMinor, string Currency,
    string Status, string? FailureReason, DateTimeOffset IssuedAt, DateTimeOffset? PaidAt, long AmountRefundedMinor,
    long NetMinor, long VatMinor, decimal VatRate, string VatTreatment, string? LineDescription, string? Seller, string? Buyer,
    string PaymentMethod, string ProductId, string Kind = Domain.InvoiceKind.Period)
{
    /// <summary>A consolidated invoice's lines, one per service (issue 17, section 5); empty for every other invoice.</summary>
    public IReadOnlyList<InvoiceLine> Lines { get; init; } = [];

    /// <summary>The last day the invoice pays for: every document and API shows periods as [start, last day], both included.</summary>
    public DateOnly PeriodLastDay => PeriodEnd.AddDays(-1);
}

public sealed class InvoiceQueries(Database db)
{
    private const string Columns = """
        i.id, i.number, i.service_id, i.period_start, i.period_end, i.amount_minor, i.currency, i.status, i.failure_reason, i.issued_at, i.paid_at,
        i.amount_refunded_minor, i.net_minor, i.vat_minor, i.vat_rate, i.vat_treatment, i.line_description, i.seller::text AS seller,
        i.buyer::text AS buyer, i.payment_method, s.product_id, i.kind
        """;
    private const string From = "FROM invoices i JOIN billed_services s ON s.service_id = i.service_id";
    private const string FindSql = $"SELECT {Columns} {From} WHERE i.id = @Id AND i.customer_id = @CustomerId";
    private const string ListSql = $"""
        SELECT {Columns} {From} WHERE i.customer_id = @CustomerId ORDER BY i.number DESC LIMIT @Limit OFFSET @Offset
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
        var invoice = await connection.QuerySingleOrDefaultAsync<InvoiceRow>(FindSql, new { CustomerId = customerId, Id = id });
        return invoice is null ? null : (await WithLinesAsync(connection, [invoice]))[0];
    }

    public async Task<(IReadOnlyList<InvoiceRow> Items, long Total)> ListAsync(Guid customerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<InvoiceRow>(ListSql, new { CustomerId = customerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        return (await WithLinesAsync(connection, items.ToList()), await connection.ExecuteScalarAsync<long>(CountSql, new { CustomerId = customerId }));
    }

    private static async Task<IReadOnlyList<InvoiceRow>> WithLinesAsync(System.Data.IDbConnection connection, IReadOnlyList<InvoiceRow> invoices)
    {
        var consolidated = invoices.Where(i => i.Kind == Domain.InvoiceKind.Consolidated).Select(i => i.Id).ToList();
        if (consolidated.Count == 0) return invoices;
        var lines = (await ConsolidationRepository.LinesAsync(connection, consolidated)).ToLookup(l => l.InvoiceId);
        return invoices.Select(i => lines.Contains(i.Id) ? i with { Lines = lines[i.Id].ToList() } : i).ToList();
    }

    public async Task<(IReadOnlyList<NotificationRow> Items, long Total)> NotificationsAsync(Guid customerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<NotificationRow>(NotificationsSql, new { CustomerId = customerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(NotificationsCountSql, new { CustomerId = customerId }));
    }
}
