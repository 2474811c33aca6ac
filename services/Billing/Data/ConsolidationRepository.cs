using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <summary>One line of a consolidated invoice: one service's period. <paramref name="PeriodEnd"/> is exclusive.</summary>
public sealed record InvoiceLine(Guid InvoiceId, int LineNo, Guid ServiceId, int PeriodIndex, DateOnly PeriodStart, DateOnly PeriodEnd,
    string Description, long NetMinor, long VatMinor)
{
    public long GrossMinor => NetMinor + VatMinor;
    public DateOnly PeriodLastDay => PeriodEnd.AddDays(-1);
}

/// <summary>The customer's common billing day, the services moved onto it, and the lines of consolidated invoices.</summary>
public static class ConsolidationRepository
{
    private const string ServiceColumns = """
        s.service_id, s.order_id, s.customer_id, s.product_id, s.monthly_price_minor, s.currency, s.dedicated_ips, s.ordered_on,
        s.billing_day, s.stripe_payment_method_id, a.stripe_customer_id, s.billing_status, s.next_period, s.dunning_attempts, s.last_day,
        s.retry_requested, s.requires_review, s.product_name, s.scheduled_product_id, s.scheduled_product_name, s.scheduled_price_minor,
        s.scheduled_ips, s.scheduled_from_period, s.extra_ips, s.scheduled_extra_ips, s.anchor_on, s.anchor_period, s.transition_start
        """;
    private const string DayForUpdateSql = "SELECT consolidated_day FROM billing_accounts WHERE customer_id = @CustomerId FOR UPDATE";
    private const string DaySql = "SELECT consolidated_day FROM billing_accounts WHERE customer_id = @CustomerId";
    private const string SetDaySql = "UPDATE billing_accounts SET consolidated_day = @Day, consolidated_at = @At WHERE customer_id = @CustomerId";
    // The account's services that still renew, locked in one order so two requests never deadlock.
    private const string RunningSql = $"""
        SELECT {ServiceColumns}
        FROM billed_services s JOIN billing_accounts a ON a.customer_id = s.customer_id
        WHERE s.customer_id = @CustomerId AND s.billing_status IN ('Active', 'PastDue', 'Suspended')
        ORDER BY s.service_id
        FOR UPDATE OF s
        """;
    private const string AnchorSql = """
        UPDATE billed_services SET anchor_on = @AnchorOn, anchor_period = @AnchorPeriod, transition_start = @TransitionStart, billing_day = @Day
        WHERE service_id = @ServiceId
        """;
    // Renewals on the common day go per customer: the account row is the lock (SKIP LOCKED: replicas take different customers).
    private const string ClaimCustomerSql = $"""
        SELECT a.customer_id FROM billing_accounts a
        WHERE a.customer_id IN (
            SELECT s.customer_id FROM billed_services s
            WHERE s.next_due_on <= @Today AND s.billing_status IN ('Active', 'PastDue', 'Suspended') AND s.next_period >= s.anchor_period
              AND {ChargeIntents.NotBeingCharged})
        ORDER BY a.customer_id
        LIMIT 1
        FOR UPDATE OF a SKIP LOCKED
        """;
    private const string DueSql = $"""
        SELECT {ServiceColumns}
        FROM billed_services s JOIN billing_accounts a ON a.customer_id = s.customer_id
        WHERE s.customer_id = @CustomerId AND s.next_due_on <= @Today AND s.billing_status IN ('Active', 'PastDue', 'Suspended')
          AND s.next_period >= s.anchor_period AND {ChargeIntents.NotBeingCharged}
        ORDER BY s.service_id
        FOR UPDATE OF s
        """;
    private const string ServiceForUpdateSql = $"""
        SELECT {ServiceColumns}
        FROM billed_services s JOIN billing_accounts a ON a.customer_id = s.customer_id
        WHERE s.service_id = @ServiceId
        FOR UPDATE OF s
        """;
    private const string LineColumns = "invoice_id, line_no, service_id, period_index, period_start, period_end, description, net_minor, vat_minor";
    private const string InsertLineSql = $"""
        INSERT INTO invoice_lines ({LineColumns})
        VALUES (@InvoiceId, @LineNo, @ServiceId, @PeriodIndex, @PeriodStart, @PeriodEnd, @Description, @NetMinor, @VatMinor)
        """;
    private const string LineOfPeriodSql = $"""
        SELECT l.invoice_id, l.line_no, l.service_id, l.period_index, l.period_start, l.period_end, l.description, l.net_minor, l.vat_minor FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
        WHERE l.service_id = @ServiceId AND l.period_index = @Period AND i.status = 'Open'
        """;
    private const string LinesSql = $"SELECT {LineColumns} FROM invoice_lines WHERE invoice_id = @InvoiceId ORDER BY line_no";
    private const string LinesOfManySql = $"SELECT {LineColumns} FROM invoice_lines WHERE invoice_id = ANY(@Ids) ORDER BY invoice_id, line_no";

    public static Task<int?> FindDayAsync(UnitOfWork work, Guid customerId) => work.QuerySingleOrDefaultAsync<int?>(DaySql, new { CustomerId = customerId });

    public static Task<int?> FindDayForUpdateAsync(UnitOfWork work, Guid customerId) =>
        work.QuerySingleOrDefaultAsync<int?>(DayForUpdateSql, new { CustomerId = customerId });

    public static Task SetDayAsync(UnitOfWork work, Guid customerId, int day, DateTimeOffset at) =>
        work.ExecuteAsync(SetDaySql, new { CustomerId = customerId, Day = day, At = at });

    public static async Task<IReadOnlyList<DueService>> RunningForUpdateAsync(UnitOfWork work, Guid customerId) =>
        (await work.QueryAsync<DueService>(RunningSql, new { CustomerId = customerId })).ToList();

    public static Task AnchorAsync(UnitOfWork work, Guid serviceId, Consolidation.AnchorMove move, int day) =>
        work.ExecuteAsync(AnchorSql, new { ServiceId = serviceId, move.AnchorOn, move.AnchorPeriod, move.TransitionStart, Day = day });

    /// <summary>A customer with services due on the common day that no worker is charging right now.</summary>
    public static Task<Guid?> ClaimCustomerAsync(UnitOfWork work, DateOnly today, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<Guid?>(ClaimCustomerSql, new { Today = today, Now = now });

    public static async Task<IReadOnlyList<DueService>> DueForUpdateAsync(UnitOfWork work, Guid customerId, DateOnly today, DateTimeOffset now) =>
        (await work.QueryAsync<DueService>(DueSql, new { CustomerId = customerId, Today = today, Now = now })).ToList();

    public static Task<DueService?> ServiceForUpdateAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<DueService>(ServiceForUpdateSql, new { ServiceId = serviceId });

    public static Task AddLineAsync(UnitOfWork work, InvoiceLine line) => work.ExecuteAsync(InsertLineSql, line);

    /// <summary>The open invoice line that already bills this period, if a consolidated invoice was issued for it.</summary>
    public static Task<InvoiceLine?> FindOpenLineAsync(UnitOfWork work, Guid serviceId, int period) =>
        work.QuerySingleOrDefaultAsync<InvoiceLine>(LineOfPeriodSql, new { ServiceId = serviceId, Period = period });

    public static async Task<IReadOnlyList<InvoiceLine>> LinesAsync(UnitOfWork work, Guid invoiceId) =>
        (await work.QueryAsync<InvoiceLine>(LinesSql, new { InvoiceId = invoiceId })).ToList();

    public static async Task<IReadOnlyList<InvoiceLine>> LinesAsync(System.Data.IDbConnection connection, IReadOnlyCollection<Guid> invoiceIds) =>
        invoiceIds.Count == 0 ? [] : (await Dapper.SqlMapper.QueryAsync<InvoiceLine>(connection, LinesOfManySql, new { Ids = invoiceIds.ToArray() })).ToList();
}
