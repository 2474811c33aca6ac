using Dapper;
using ProMTA.Billing.Vat;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <summary>A credit note with what it prints of the invoice it corrects (number, date, period, VAT, parties).</summary>
public sealed record CreditNoteRow(
    Guid Id, long Number, Guid InvoiceId, long InvoiceNumber, DateTimeOffset InvoiceIssuedAt, string? RefundId, string Reason,
    long NetMinor, long VatMinor, long AmountMinor, string Currency, DateTimeOffset IssuedAt,
    DateOnly PeriodStart, DateOnly PeriodEnd, decimal VatRate, string VatTreatment, string? LineDescription, string? Seller, string? Buyer, string ProductId);

/// <summary>
/// Credit notes: their own gapless series (the counter row moves inside the credit note's transaction), each
/// referencing the invoice it corrects, split into net and VAT like that invoice (<see cref="VatRules.Credit"/>).
/// </summary>
public static class CreditNoteRepository
{
    private const string NextNumberSql = "UPDATE credit_note_counter SET last_number = last_number + 1 WHERE id = 1 RETURNING last_number";
    private const string ExistsSql = "SELECT EXISTS (SELECT 1 FROM credit_notes WHERE refund_id = @RefundId)";
    private const string InvoiceSql = "SELECT customer_id, vat_minor, amount_minor, currency FROM invoices WHERE id = @InvoiceId";
    private const string InsertSql = """
        INSERT INTO credit_notes (id, number, invoice_id, customer_id, refund_id, reason, net_minor, vat_minor, amount_minor, currency, issued_at)
        VALUES (@Id, @Number, @InvoiceId, @CustomerId, @RefundId, @Reason, @NetMinor, @VatMinor, @AmountMinor, @Currency, @IssuedAt)
        """;
    private const string Columns = """
        c.id, c.number, c.invoice_id, i.number AS invoice_number, i.issued_at AS invoice_issued_at, c.refund_id, c.reason, c.net_minor, c.vat_minor,
        c.amount_minor, c.currency, c.issued_at, i.period_start, i.period_end, i.vat_rate, i.vat_treatment, i.line_description,
        i.seller::text AS seller, i.buyer::text AS buyer, s.product_id
        """;
    private const string From = "FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id JOIN billed_services s ON s.service_id = i.service_id";
    private const string FindSql = $"SELECT {Columns} {From} WHERE c.id = @Id AND c.customer_id = @CustomerId";
    private const string ListSql = $"SELECT {Columns} {From} WHERE c.customer_id = @CustomerId ORDER BY c.number DESC LIMIT @Limit OFFSET @Offset";
    private const string CountSql = "SELECT count(*) FROM credit_notes WHERE customer_id = @CustomerId";

    private sealed record CreditedInvoice(Guid CustomerId, long VatMinor, long AmountMinor, string Currency);

    /// <summary>
    /// Issues the credit note for a refund of <paramref name="grossMinor"/> of an invoice, once per refund id; the caller
    /// holds the invoice's row lock, so refunds of one invoice are credited one at a time. Returns its number, or null
    /// when this refund was already credited.
    /// </summary>
    public static async Task<long?> IssueAsync(UnitOfWork work, Guid invoiceId, string refundId, string reason, long grossMinor, DateTimeOffset now)
    {
        if (await work.ExecuteScalarAsync<bool>(ExistsSql, new { RefundId = refundId })) return null;
        var invoice = await work.QuerySingleOrDefaultAsync<CreditedInvoice>(InvoiceSql, new { InvoiceId = invoiceId })
            ?? throw new InvalidOperationException($"No invoice {invoiceId} to credit");
        var amounts = VatRules.Credit(grossMinor, invoice.VatMinor, invoice.AmountMinor);
        var number = await work.ExecuteScalarAsync<long>(NextNumberSql);
        await work.ExecuteAsync(InsertSql, new
        {
            Id = Guid.CreateVersion7(), Number = number, InvoiceId = invoiceId, invoice.CustomerId, RefundId = refundId, Reason = reason,
            amounts.NetMinor, amounts.VatMinor, AmountMinor = amounts.GrossMinor, invoice.Currency, IssuedAt = now,
        });
        return number;
    }

    public static async Task<CreditNoteRow?> FindAsync(Database db, Guid customerId, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<CreditNoteRow>(FindSql, new { CustomerId = customerId, Id = id });
    }

    public static async Task<(IReadOnlyList<CreditNoteRow> Items, long Total)> ListAsync(Database db, Guid customerId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var items = await connection.QueryAsync<CreditNoteRow>(ListSql, new { CustomerId = customerId, Limit = pageSize, Offset = (page - 1) * pageSize });
        return (items.ToList(), await connection.ExecuteScalarAsync<long>(CountSql, new { CustomerId = customerId }));
    }
}
