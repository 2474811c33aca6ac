using Dapper;
using Npgsql;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <summary>A service due for a renewal step, locked for this transaction.</summary>
public sealed record DueService
{
    public Guid ServiceId { get; init; }
    public Guid OrderId { get; init; }
    public Guid CustomerId { get; init; }
    public string ProductId { get; init; } = "";
    public long MonthlyPriceMinor { get; init; }
    public string Currency { get; init; } = "";
    public int DedicatedIps { get; init; }
    public DateOnly OrderedOn { get; init; }
    public int BillingDay { get; init; }
    public string? StripePaymentMethodId { get; init; }
    public string StripeCustomerId { get; init; } = "";
    public string BillingStatus { get; init; } = "";
    public int NextPeriod { get; init; }
    public int DunningAttempts { get; init; }
    public DateOnly? LastDay { get; init; }
    public bool RetryRequested { get; init; }
    public bool RequiresReview { get; init; }
    public string? ProductName { get; init; }
    public string? ScheduledProductId { get; init; }
    public string? ScheduledProductName { get; init; }
    public long? ScheduledPriceMinor { get; init; }
    public int? ScheduledIps { get; init; }
    public int? ScheduledFromPeriod { get; init; }
    public int ExtraIps { get; init; }
    public int? ScheduledExtraIps { get; init; }
    public DateOnly? AnchorOn { get; init; }
    public int? AnchorPeriod { get; init; }
    public DateOnly? TransitionStart { get; init; }

    /// <summary>The service's periods, on the customer's common billing day once it moved there.</summary>
    public Domain.ServiceCalendar Calendar => new(OrderedOn, AnchorOn, AnchorPeriod, TransitionStart);

    /// <summary>The product a period is billed for: a scheduled downgrade's from its first period on (issue 17), else the current one.</summary>
    public ServicePlan PlanOf(int period) => ScheduledProductId is { } id && period >= ScheduledFromPeriod
        ? new ServicePlan(id, ScheduledProductName ?? id, ScheduledPriceMinor!.Value, ScheduledIps!.Value, ScheduledExtraIps ?? 0)
        : new ServicePlan(ProductId, ProductName ?? ProductId, MonthlyPriceMinor, DedicatedIps, ExtraIps);
}

/// <summary>An open invoice (found by id or by its Stripe PaymentIntent), with its service locked.</summary>
public sealed record InvoiceByPaymentIntent(DueService Service, OpenInvoice Invoice, int Period);

/// <param name="AmountMinor">What the invoice charges, VAT included.</param>
public sealed record OpenInvoice(Guid InvoiceId, long InvoiceNumber, long AmountMinor);

public sealed record RenewalState(string BillingStatus, int NextPeriod, int DunningAttempts, DateOnly? NextDueOn);

public static class RenewalRepository
{
    // SKIP LOCKED: replicas (and overlapping runs) each take different services; the row lock also makes a
    // concurrent cancellation wait, so the cancellation deadline is re-checked on committed data.
    // A service whose charge is being made (an intent under its lease) is left to that worker.
    private const string ClaimSql = $"""
        SELECT s.service_id, s.order_id, s.customer_id, s.product_id, s.monthly_price_minor, s.currency, s.dedicated_ips, s.ordered_on,
               s.billing_day, s.stripe_payment_method_id, a.stripe_customer_id, s.billing_status, s.next_period, s.dunning_attempts, s.last_day,
               s.retry_requested, s.requires_review, s.product_name, s.scheduled_product_id, s.scheduled_product_name, s.scheduled_price_minor,
               s.scheduled_ips, s.scheduled_from_period, s.extra_ips, s.scheduled_extra_ips, s.anchor_on, s.anchor_period, s.transition_start
        FROM billed_services s JOIN billing_accounts a ON a.customer_id = s.customer_id
        WHERE s.next_due_on <= @Today AND s.billing_status IN ('Active', 'PastDue', 'Suspended')
          -- periods on the common billing day renew per customer (ConsolidatedRenewal)
          AND (s.anchor_period IS NULL OR s.next_period < s.anchor_period)
          AND {ChargeIntents.NotBeingCharged}
        ORDER BY s.next_due_on, s.service_id
        LIMIT 1
        FOR UPDATE OF s SKIP LOCKED
        """;
    private const string OpenInvoiceWithServiceSql = """
        SELECT s.service_id, s.order_id, s.customer_id, s.product_id, s.monthly_price_minor, s.currency, s.dedicated_ips, s.ordered_on,
               s.billing_day, s.stripe_payment_method_id, a.stripe_customer_id, s.billing_status, s.next_period, s.dunning_attempts, s.last_day,
               s.retry_requested, s.requires_review, s.product_name, s.scheduled_product_id, s.scheduled_product_name, s.scheduled_price_minor,
               s.scheduled_ips, s.scheduled_from_period, s.extra_ips, s.scheduled_extra_ips, s.anchor_on, s.anchor_period, s.transition_start, i.id AS invoice_id, i.number AS invoice_number, i.amount_minor,
               i.period_index
        FROM invoices i
        JOIN billed_services s ON s.service_id = i.service_id
        JOIN billing_accounts a ON a.customer_id = s.customer_id
        """;
    private const string ByPaymentIntentSql = OpenInvoiceWithServiceSql + "\n" + """
        WHERE i.stripe_payment_intent_id = @PaymentIntentId AND i.status = 'Open' AND i.kind = 'Period'
        FOR UPDATE OF s, i
        """;
    private const string AwaitsPaymentIntentSql = """
        SELECT EXISTS (SELECT 1 FROM invoices WHERE stripe_payment_intent_id = @PaymentIntentId AND status = 'Open' AND kind = 'Period')
        """;
    private const string ByInvoiceIdSql = OpenInvoiceWithServiceSql + "\n" + """
        WHERE i.id = @InvoiceId AND i.status = 'Open' AND i.kind = 'Period'
        FOR UPDATE OF s, i
        """;
    private const string SaveStateSql = """
        UPDATE billed_services SET billing_status = @BillingStatus, next_period = @NextPeriod, dunning_attempts = @DunningAttempts,
                                   next_due_on = @NextDueOn, retry_requested = false
        WHERE service_id = @ServiceId
        """;
    private const string OpenInvoiceSql = """
        SELECT id AS invoice_id, number AS invoice_number, amount_minor FROM invoices WHERE service_id = @ServiceId AND period_index = @Period AND kind = 'Period' AND status = 'Open'
        """;
    // An earlier attempt waiting for the customer's authentication (its pay link is out).
    private const string AwaitingAuthenticationSql = """
        SELECT stripe_payment_intent_id FROM invoices WHERE id = @Id AND status = 'Open' AND pay_url IS NOT NULL
        """;
    private const string UncollectibleSql = "UPDATE invoices SET status = 'Uncollectible' WHERE service_id = @ServiceId AND status = 'Open'";
    // A new card on file: every unpaid renewal of the customer is tried with it on the next run.
    private const string ReplaceCardSql = """
        UPDATE billed_services SET stripe_payment_method_id = @PaymentMethodId,
            retry_requested = billing_status IN ('PastDue', 'Suspended'),
            next_due_on = CASE WHEN billing_status IN ('PastDue', 'Suspended') THEN LEAST(next_due_on, @Today) ELSE next_due_on END
        WHERE customer_id = @CustomerId AND billing_status IN ('Active', 'PastDue', 'Suspended')
        """;

    public static Task<DueService?> ClaimAsync(UnitOfWork work, DateOnly today, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<DueService>(ClaimSql, new { Today = today, Now = now });

    public static Task<InvoiceByPaymentIntent?> FindOpenByPaymentIntentAsync(UnitOfWork work, string paymentIntentId) =>
        FindOpenAsync(work, ByPaymentIntentSql, new { PaymentIntentId = paymentIntentId });

    /// <summary>
    /// Whether an open period invoice waits on this PaymentIntent, read without a lock or a transaction (a webhook's look
    /// before it asks Stripe; the write finds the invoice again, locked). A first month's PaymentIntent is none's: in a
    /// transaction of its own this look cost a BEGIN and a ROLLBACK around the one read, per order.
    /// </summary>
    public static Task<bool> AwaitsPaymentIntentAsync(NpgsqlConnection connection, string paymentIntentId) => connection.ExecuteScalarAsync<bool>(
        AwaitsPaymentIntentSql, new { PaymentIntentId = paymentIntentId });

    public static Task<InvoiceByPaymentIntent?> FindOpenByIdAsync(UnitOfWork work, Guid invoiceId) =>
        FindOpenAsync(work, ByInvoiceIdSql, new { InvoiceId = invoiceId });

    private static async Task<InvoiceByPaymentIntent?> FindOpenAsync(UnitOfWork work, string sql, object param)
    {
        var rows = await work.Connection.QueryAsync<DueService, OpenInvoice, int, InvoiceByPaymentIntent>(sql,
            (service, invoice, period) => new InvoiceByPaymentIntent(service, invoice, period), param, work.Transaction,
            splitOn: "invoice_id,period_index");
        return rows.SingleOrDefault();
    }

    public static Task SaveAsync(UnitOfWork work, Guid serviceId, RenewalState state) =>
        work.ExecuteAsync(SaveStateSql, new { ServiceId = serviceId, state.BillingStatus, state.NextPeriod, state.DunningAttempts, state.NextDueOn });

    public static Task<OpenInvoice?> FindOpenInvoiceAsync(UnitOfWork work, Guid serviceId, int period) =>
        work.QuerySingleOrDefaultAsync<OpenInvoice>(OpenInvoiceSql, new { ServiceId = serviceId, Period = period });

    public static Task<string?> FindAwaitingAuthenticationAsync(UnitOfWork work, Guid invoiceId) =>
        work.QuerySingleOrDefaultAsync<string>(AwaitingAuthenticationSql, new { Id = invoiceId });

    public static Task MarkUncollectibleAsync(UnitOfWork work, Guid serviceId) => work.ExecuteAsync(UncollectibleSql, new { ServiceId = serviceId });

    public static Task ReplaceCardAsync(UnitOfWork work, Guid customerId, string paymentMethodId, DateOnly today) =>
        work.ExecuteAsync(ReplaceCardSql, new { CustomerId = customerId, PaymentMethodId = paymentMethodId, Today = today });
}
