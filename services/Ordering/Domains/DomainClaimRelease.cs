using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Domains;

/// <summary>Why a claim ended: the <see cref="SendingDomainReleased.Reason"/> values.</summary>
public static class ReleaseReason
{
    public const string PaymentFailed = "payment-failed";
    public const string ReviewRejected = "review-rejected";
    public const string ServiceEnded = "service-ended";
    public const string Removed = "removed";
    public const string Expired = "expired";
}

/// <summary>Frees a service's sending domains for anyone, tells Dns and Delivery, and puts it on the order's timeline.</summary>
public static class DomainClaimRelease
{
    public static async Task ReleaseServiceAsync(UnitOfWork work, Guid serviceId, string reason, DateTimeOffset at)
    {
        foreach (var claim in await DomainClaims.ReleaseForServiceAsync(work, serviceId, reason, at))
        {
            await AnnounceAsync(work, claim, reason, at);
        }
    }

    public static async Task AnnounceAsync(UnitOfWork work, DomainClaim claim, string reason, DateTimeOffset at)
    {
        await work.PublishAsync(new SendingDomainReleased
        {
            OrderId = claim.OrderId, ServiceId = claim.ServiceId, Domain = claim.Domain, Reason = reason, ReleasedAt = at,
        });
        await OrderRepository.AppendTimelineAsync(work, claim.OrderId, TimelineEvent.SendingDomainReleased, at, Describe(claim.Domain, reason));
    }

    private static string Describe(string domain, string reason) => reason switch
    {
        ReleaseReason.Expired => $"{domain} was released: it was not delegated to our nameservers in time. Order it again once its NS records point to us.",
        ReleaseReason.PaymentFailed => $"{domain} was released because the first payment failed; nothing is published for it.",
        ReleaseReason.ReviewRejected => $"{domain} was released because the order was rejected.",
        ReleaseReason.Removed => $"{domain} was removed from the service; its records are no longer published.",
        _ => $"{domain} was released: the service has ended.",
    };
}
