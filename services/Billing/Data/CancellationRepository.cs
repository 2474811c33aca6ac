using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

public sealed record CancellableService(Guid ServiceId, Guid OrderId, DateOnly OrderedOn, DateTimeOffset? CancelledAt, DateOnly? LastDay, bool ChargedAgain,
    DateOnly? AnchorOn = null, int? AnchorPeriod = null, DateOnly? TransitionStart = null)
{
    /// <summary>The service's periods, on the customer's common billing day once it moved there.</summary>
    public Domain.ServiceCalendar Calendar => new(OrderedOn, AnchorOn, AnchorPeriod, TransitionStart);
}

public static class CancellationRepository
{
    // FOR UPDATE: two concurrent cancellations of one service decide once.
    private const string FindSql = """
        SELECT service_id, order_id, ordered_on, cancelled_at, last_day, COALESCE(charged_again, false) AS charged_again, anchor_on, anchor_period, transition_start
        FROM billed_services WHERE service_id = @ServiceId AND customer_id = @CustomerId
        FOR UPDATE
        """;
    private const string CancelSql = """
        UPDATE billed_services SET cancelled_at = @CancelledAt, last_day = @LastDay, charged_again = @ChargedAgain WHERE service_id = @ServiceId
        """;
    private const string WithdrawSql = """
        UPDATE billed_services SET cancelled_at = NULL, last_day = NULL, charged_again = NULL,
            -- the renewal that the cancellation skipped is due again (at once if its charge date has passed)
            next_due_on = CASE WHEN billing_status = 'Active' THEN service_period_start(ordered_on, anchor_on, anchor_period, transition_start, next_period) - 14 ELSE next_due_on END
        WHERE service_id = @ServiceId
        """;

    public static Task<CancellableService?> FindForUpdateAsync(UnitOfWork work, Guid customerId, Guid serviceId) =>
        work.QuerySingleOrDefaultAsync<CancellableService>(FindSql, new { CustomerId = customerId, ServiceId = serviceId });

    public static Task CancelAsync(UnitOfWork work, Guid serviceId, DateTimeOffset cancelledAt, DateOnly lastDay, bool chargedAgain) =>
        work.ExecuteAsync(CancelSql, new { ServiceId = serviceId, CancelledAt = cancelledAt, LastDay = lastDay, ChargedAgain = chargedAgain });

    public static Task WithdrawAsync(UnitOfWork work, Guid serviceId) => work.ExecuteAsync(WithdrawSql, new { ServiceId = serviceId });
}
