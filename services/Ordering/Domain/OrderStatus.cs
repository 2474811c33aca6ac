namespace ProMTA.Ordering.Domain;

/// <summary>
/// An order's status only moves forward: events may arrive out of order (ServerProvisioned and
/// ReverseDnsRequested are published together), and a late one must not drag the status back.
/// </summary>
public static class OrderStatus
{
    public const string Placed = nameof(Placed);
    public const string PaymentFailed = nameof(PaymentFailed);
    public const string Paid = nameof(Paid);
    public const string InReview = nameof(InReview);
    public const string Provisioned = nameof(Provisioned);
    public const string ReverseDnsRequested = nameof(ReverseDnsRequested);
    public const string Active = nameof(Active);
    public const string Cancelled = nameof(Cancelled);

    private static readonly string[] Forward = [Placed, PaymentFailed, Paid, InReview, Provisioned, ReverseDnsRequested, Active, Cancelled];

    public static int Rank(string status)
    {
        var rank = Array.IndexOf(Forward, status);
        return rank >= 0 ? rank : throw new ArgumentOutOfRangeException(nameof(status), status, "not an order status");
    }
}

/// <summary>Timeline entries that mark a milestone without being an order status.</summary>
public static class TimelineEvent
{
    public const string ReverseDnsPropagated = nameof(ReverseDnsPropagated);
    public const string CancellationScheduled = nameof(CancellationScheduled);
    public const string CancellationWithdrawn = nameof(CancellationWithdrawn);
    public const string PaymentRefunded = nameof(PaymentRefunded);
    public const string ServiceSuspended = nameof(ServiceSuspended);
    public const string ServiceResumed = nameof(ServiceResumed);
    public const string ServiceTerminated = nameof(ServiceTerminated);
    public const string ServiceEnded = nameof(ServiceEnded);
    public const string SetupFailed = nameof(SetupFailed);
    public const string ReverseDnsDelayed = nameof(ReverseDnsDelayed);
    public const string SendingDomainVerified = nameof(SendingDomainVerified);
    public const string SendingDomainReleased = nameof(SendingDomainReleased);
    public const string DnsDriftRepaired = nameof(DnsDriftRepaired);
    public const string PlanChanged = nameof(PlanChanged);
}

public static class ServiceStatus
{
    public const string Pending = nameof(Pending);
    public const string Active = nameof(Active);
    public const string Suspended = nameof(Suspended);
    public const string Ending = nameof(Ending);
    public const string Ended = nameof(Ended);
}
