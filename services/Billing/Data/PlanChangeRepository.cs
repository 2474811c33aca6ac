using Dapper;
using Npgsql;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

/// <summary>A service as a plan change sees it, locked for the caller's transaction.</summary>
public sealed record ChangeableService
{
    public Guid ServiceId { get; init; }
    public Guid OrderId { get; init; }
    public Guid CustomerId { get; init; }
    public string ProductId { get; init; } = "";
    public string? ProductName { get; init; }
    public long MonthlyPriceMinor { get; init; }
    public string Currency { get; init; } = "";
    public int DedicatedIps { get; init; }
    public DateOnly OrderedOn { get; init; }
    public string BillingStatus { get; init; } = "";
    public int NextPeriod { get; init; }
    public DateOnly? LastDay { get; init; }
    public DateTimeOffset? LiveAt { get; init; }
    public string? StripePaymentMethodId { get; init; }
    public string StripeCustomerId { get; init; } = "";
    public string? ScheduledProductId { get; init; }
    public string? ScheduledProductName { get; init; }
    public long? ScheduledPriceMinor { get; init; }
    public int? ScheduledIps { get; init; }
    public int? ScheduledFromPeriod { get; init; }
    public int ExtraIps { get; init; }
    public int? ScheduledExtraIps { get; init; }
    /// <summary>Plan changes asked for so far (any outcome): numbers the next one's Stripe idempotency key.</summary>
    public int ChangesSoFar { get; init; }
    public DateOnly? AnchorOn { get; init; }
    public int? AnchorPeriod { get; init; }
    public DateOnly? TransitionStart { get; init; }

    /// <summary>The service's periods, on the customer's common billing day once it moved there.</summary>
    public Domain.ServiceCalendar Calendar => new(OrderedOn, AnchorOn, AnchorPeriod, TransitionStart);
}

/// <summary>The product a service runs (or is scheduled to run) on, with its extra dedicated IPs (the add-on).</summary>
/// <param name="MonthlyPriceMinor">Net, the product's price plus the extra IPs'.</param>
/// <param name="DedicatedIps">The product's IPs plus the extra ones.</param>
public sealed record ServicePlan(string ProductId, string ProductName, long MonthlyPriceMinor, int DedicatedIps, int ExtraIps = 0)
{
    /// <summary>What invoices and notices call it: "ProMTA Business + 2 extra dedicated IPs".</summary>
    public string DisplayName => ExtraIps switch
    {
        0 => ProductName,
        1 => $"{ProductName} + 1 extra dedicated IP",
        _ => $"{ProductName} + {ExtraIps} extra dedicated IPs",
    };
}

public sealed record PlanChangeRow(Guid Id, Guid ServiceId, Guid CustomerId, string FromProductId, string ToProductId, int FromExtraIps, int ToExtraIps,
    string Kind, string Status,
    DateTimeOffset RequestedAt, DateOnly EffectiveOn, long NetMinor, Guid? InvoiceId, string? FailureReason, DateTimeOffset DecidedAt);

public static class PlanChangeStatus
{
    public const string Applied = nameof(Applied);
    public const string Scheduled = nameof(Scheduled);
    public const string Declined = nameof(Declined);
    public const string Withdrawn = nameof(Withdrawn);
    /// <summary>An upgrade whose card asked for 3-D Secure: applied once the customer has paid through the link.</summary>
    public const string AwaitingPayment = nameof(AwaitingPayment);
}

/// <summary>An upgrade waiting for the customer to authenticate its payment.</summary>
public sealed record AwaitingChange(Guid Id, Guid ServiceId, Guid CustomerId, string ToProductId, int ToExtraIps, DateOnly EffectiveOn, long NetMinor,
    string PaymentIntentId, string? PayUrl);

/// <summary>How a change was decided, with its invoice's number when it was applied.</summary>
public sealed record DecidedChange(string Status, Guid? InvoiceId, long? InvoiceNumber, string? FailureReason, string? PayUrl);

/// <summary>Plan changes and the product columns of billed_services. Every method runs in the caller's unit of work.</summary>
public static class PlanChangeRepository
{
    private const string ServiceColumns = """
        s.service_id, s.order_id, s.customer_id, s.product_id, s.product_name, s.monthly_price_minor, s.currency, s.dedicated_ips, s.ordered_on,
        s.billing_status, s.next_period, s.last_day, s.live_at, s.stripe_payment_method_id, a.stripe_customer_id, s.scheduled_product_id,
        s.scheduled_product_name, s.scheduled_price_minor, s.scheduled_ips, s.scheduled_from_period, s.extra_ips, s.scheduled_extra_ips,
        s.anchor_on, s.anchor_period, s.transition_start,
        (SELECT count(*)::int FROM plan_changes c WHERE c.service_id = s.service_id) AS changes_so_far
        """;
    // FOR UPDATE: the renewal scheduler (SKIP LOCKED) and a second request wait for this change to be decided.
    private const string FindSql = $"""
        SELECT {ServiceColumns}
        FROM billed_services s JOIN billing_accounts a ON a.customer_id = s.customer_id
        WHERE s.service_id = @ServiceId AND s.customer_id = @CustomerId
        FOR UPDATE OF s
        """;
    // A downgrade applies on the first day of its period, unless the service ends before; not while an upgrade's charge
    // (or a renewal's) waits for its result, which decides from the product the service has now.
    private const string ClaimDueDowngradeSql = $"""
        SELECT {ServiceColumns}
        FROM billed_services s JOIN billing_accounts a ON a.customer_id = s.customer_id
        WHERE s.scheduled_product_id IS NOT NULL
          AND service_period_start(s.ordered_on, s.anchor_on, s.anchor_period, s.transition_start, s.scheduled_from_period) <= @Today
          AND (s.last_day IS NULL OR s.last_day >= service_period_start(s.ordered_on, s.anchor_on, s.anchor_period, s.transition_start, s.scheduled_from_period))
          AND s.billing_status IN ('Active', 'PastDue', 'Suspended')
          AND {ChargeIntents.NotBeingCharged}
        ORDER BY s.scheduled_from_period, s.service_id
        LIMIT 1
        FOR UPDATE OF s SKIP LOCKED
        """;
    private const string SetProductSql = """
        UPDATE billed_services SET product_id = @ProductId, product_name = @ProductName, monthly_price_minor = @MonthlyPriceMinor,
            dedicated_ips = @DedicatedIps, extra_ips = @ExtraIps, scheduled_product_id = NULL, scheduled_product_name = NULL,
            scheduled_price_minor = NULL, scheduled_ips = NULL, scheduled_from_period = NULL, scheduled_extra_ips = NULL
        WHERE service_id = @ServiceId
        """;
    private const string ScheduleSql = """
        UPDATE billed_services SET scheduled_product_id = @ProductId, scheduled_product_name = @ProductName, scheduled_price_minor = @MonthlyPriceMinor,
            scheduled_ips = @DedicatedIps, scheduled_from_period = @FromPeriod, scheduled_extra_ips = @ExtraIps
        WHERE service_id = @ServiceId
        """;
    private const string ClearScheduleSql = """
        UPDATE billed_services SET scheduled_product_id = NULL, scheduled_product_name = NULL, scheduled_price_minor = NULL, scheduled_ips = NULL,
            scheduled_from_period = NULL, scheduled_extra_ips = NULL
        WHERE service_id = @ServiceId
        """;
    private const string InsertSql = """
        INSERT INTO plan_changes (id, service_id, customer_id, from_product_id, to_product_id, from_extra_ips, to_extra_ips, kind, status,
                                  requested_at, effective_on, net_minor, invoice_id, failure_reason, decided_at)
        VALUES (@Id, @ServiceId, @CustomerId, @FromProductId, @ToProductId, @FromExtraIps, @ToExtraIps, @Kind, @Status,
                @RequestedAt, @EffectiveOn, @NetMinor, @InvoiceId, @FailureReason, @DecidedAt)
        """;
    private const string DecideScheduledSql = """
        UPDATE plan_changes SET status = @Status, decided_at = @At WHERE service_id = @ServiceId AND status = 'Scheduled' RETURNING id
        """;
    private const string AwaitingColumns = "id, service_id, customer_id, to_product_id, to_extra_ips, effective_on, net_minor, payment_intent_id, pay_url";
    private const string AwaitingByIntentSql = $"SELECT {AwaitingColumns} FROM plan_changes WHERE payment_intent_id = @PaymentIntentId AND status = 'AwaitingPayment'";
    private const string FindAwaitingByIntentSql = AwaitingByIntentSql + " FOR UPDATE";
    private const string FindAwaitingSql = $"SELECT {AwaitingColumns} FROM plan_changes WHERE service_id = @ServiceId AND status = 'AwaitingPayment'";
    private const string DecideSql = """
        UPDATE plan_changes SET status = @Status, invoice_id = @InvoiceId, failure_reason = @FailureReason, decided_at = @At, pay_url = NULL WHERE id = @Id
        """;
    private const string FindDecidedSql = """
        SELECT c.status, c.invoice_id, i.number AS invoice_number, c.failure_reason, c.pay_url
        FROM plan_changes c LEFT JOIN invoices i ON i.id = c.invoice_id
        WHERE c.id = @Id
        """;
    private const string MarkLiveSql = "UPDATE billed_services SET live_at = @ActivatedAt WHERE service_id = @ServiceId AND live_at IS NULL";

    public static Task<ChangeableService?> FindForUpdateAsync(UnitOfWork work, Guid customerId, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<ChangeableService>(FindSql, new { CustomerId = customerId, ServiceId = serviceId });

    public static Task<ChangeableService?> ClaimDueDowngradeAsync(UnitOfWork work, DateOnly today, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<ChangeableService>(ClaimDueDowngradeSql, new { Today = today, Now = now });

    /// <summary>The service runs on <paramref name="plan"/> from now on; any scheduled change is dropped.</summary>
    public static Task SetProductAsync(UnitOfWork work, Guid serviceId, ServicePlan plan) =>
        work.ExecuteAsync(SetProductSql, new { ServiceId = serviceId, plan.ProductId, plan.ProductName, plan.MonthlyPriceMinor, plan.DedicatedIps, plan.ExtraIps });

    public static Task ScheduleAsync(UnitOfWork work, Guid serviceId, ServicePlan plan, int fromPeriod) =>
        work.ExecuteAsync(ScheduleSql, new { ServiceId = serviceId, plan.ProductId, plan.ProductName, plan.MonthlyPriceMinor, plan.DedicatedIps, plan.ExtraIps, FromPeriod = fromPeriod });

    public static Task ClearScheduleAsync(UnitOfWork work, Guid serviceId) => work.ExecuteAsync(ClearScheduleSql, new { ServiceId = serviceId });

    public static Task AddAsync(UnitOfWork work, PlanChangeRow change) => work.ExecuteAsync(InsertSql, change);

    public static Task AwaitPaymentAsync(UnitOfWork work, Guid changeId, string paymentIntentId, string? payUrl) => work.ExecuteAsync(
        "UPDATE plan_changes SET payment_intent_id = @PaymentIntentId, pay_url = @PayUrl WHERE id = @Id",
        new { Id = changeId, PaymentIntentId = paymentIntentId, PayUrl = payUrl });

    /// <summary>The upgrade waiting for this PaymentIntent, locked: a webhook delivered twice decides once.</summary>
    public static Task<AwaitingChange?> FindAwaitingByPaymentIntentAsync(UnitOfWork work, string paymentIntentId) =>
        work.QuerySingleOrDefaultAsync<AwaitingChange>(FindAwaitingByIntentSql, new { PaymentIntentId = paymentIntentId });

    /// <summary>
    /// The same, read without a lock or a transaction: what a webhook looks at before it asks Stripe (no call inside a
    /// transaction); the step that writes finds it again, locked. Most PaymentIntents are no upgrade's, and a look in a
    /// transaction of its own cost a BEGIN and a ROLLBACK around the one read, per order.
    /// </summary>
    public static Task<AwaitingChange?> LookUpAwaitingByPaymentIntentAsync(NpgsqlConnection connection, string paymentIntentId) =>
        connection.QuerySingleOrDefaultAsync<AwaitingChange>(AwaitingByIntentSql, new { PaymentIntentId = paymentIntentId });

    public static Task<AwaitingChange?> FindAwaitingAsync(UnitOfWork work, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<AwaitingChange>(FindAwaitingSql, new { ServiceId = serviceId });

    public static Task DecideAsync(UnitOfWork work, Guid changeId, string status, Guid? invoiceId, string? failureReason, DateTimeOffset at) =>
        work.ExecuteAsync(DecideSql, new { Id = changeId, Status = status, InvoiceId = invoiceId, FailureReason = failureReason, At = at });

    /// <summary>The scheduled change of the service becomes <paramref name="status"/> (applied or withdrawn); its id, if there was one.</summary>
    public static Task<Guid?> DecideScheduledAsync(UnitOfWork work, Guid serviceId, string status, DateTimeOffset at) =>
        work.QuerySingleOrDefaultAsync<Guid?>(DecideScheduledSql, new { ServiceId = serviceId, Status = status, At = at });

    /// <summary>The PaymentIntent was a declined upgrade's: no invoice was issued for it.</summary>
    public static async Task<bool> PaidNothingAsync(UnitOfWork work, string paymentIntentId) => await work.ExecuteScalarAsync<bool>(
        "SELECT EXISTS (SELECT 1 FROM plan_changes WHERE payment_intent_id = @PaymentIntentId AND status = 'Declined')", new { PaymentIntentId = paymentIntentId });

    public static Task<DecidedChange?> FindDecidedAsync(UnitOfWork work, Guid changeId) =>
        work.QuerySingleOrDefaultAsync<DecidedChange>(FindDecidedSql, new { Id = changeId });

    public static Task MarkLiveAsync(UnitOfWork work, Guid serviceId, DateTimeOffset activatedAt) =>
        work.ExecuteAsync(MarkLiveSql, new { ServiceId = serviceId, ActivatedAt = activatedAt });
}
