using MassTransit;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Dns;
using ProMTA.Contracts.Ordering;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.Ordering.Domains;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Ordering.Consumers;

/// <summary>Rule 19: delegation is seen, so the claim is proven (verified) and the customer is told.</summary>
public sealed class SendingDomainVerifiedConsumer(Database db) : IConsumer<SendingDomainVerified>
{
    public async Task Consume(ConsumeContext<SendingDomainVerified> context)
    {
        var m = context.Message;
        await using var work = await db.BeginConsumeAsync<SendingDomainVerifiedConsumer>(context);
        if (work is null) return;
        await DomainClaims.VerifyAsync(work, m.ServiceId, m.Domain, m.VerifiedAt);
        await OrderRepository.AppendTimelineAsync(work, m.OrderId, TimelineEvent.SendingDomainVerified, m.VerifiedAt,
            $"{m.Domain} is delegated to our nameservers: its SPF, DKIM and DMARC records are live");
        await work.CommitAsync(context.CancellationToken);
    }
}

/// <summary>
/// A declined first charge frees the order's domain. "Authentication required" does not: the customer may still complete
/// it, and the claim then expires like any other that is never delegated. Renewals (period 1 on) never release it.
/// </summary>
public sealed class ReleaseClaimOnPaymentFailedConsumer(Database db) : IConsumer<PaymentFailed>
{
    public async Task Consume(ConsumeContext<PaymentFailed> context)
    {
        var m = context.Message;
        if (m.PeriodIndex != 0 || m.Code == "authentication_required") return;
        await using var work = await db.BeginConsumeAsync<ReleaseClaimOnPaymentFailedConsumer>(context);
        if (work is null) return;
        await DomainClaimRelease.ReleaseServiceAsync(work, m.ServiceId, ReleaseReason.PaymentFailed, m.FailedAt);
        await work.CommitAsync(context.CancellationToken);
    }
}

public sealed class ReleaseClaimOnReviewRejectedConsumer(Database db) : IConsumer<OrderReviewRejected>
{
    public async Task Consume(ConsumeContext<OrderReviewRejected> context)
    {
        await using var work = await db.BeginConsumeAsync<ReleaseClaimOnReviewRejectedConsumer>(context);
        if (work is null) return;
        await DomainClaimRelease.ReleaseServiceAsync(work, context.Message.ServiceId, ReleaseReason.ReviewRejected, context.Message.ReviewedAt);
        await work.CommitAsync(context.CancellationToken);
    }
}

public sealed class ReleaseClaimOnServiceEndedConsumer(Database db) : IConsumer<ServiceEnded>
{
    public async Task Consume(ConsumeContext<ServiceEnded> context)
    {
        await using var work = await db.BeginConsumeAsync<ReleaseClaimOnServiceEndedConsumer>(context);
        if (work is null) return;
        await DomainClaimRelease.ReleaseServiceAsync(work, context.Message.ServiceId, ReleaseReason.ServiceEnded, context.Message.EndedAt);
        await work.CommitAsync(context.CancellationToken);
    }
}

public sealed class ReleaseClaimOnServiceTerminatedConsumer(Database db) : IConsumer<ServiceTerminated>
{
    public async Task Consume(ConsumeContext<ServiceTerminated> context)
    {
        await using var work = await db.BeginConsumeAsync<ReleaseClaimOnServiceTerminatedConsumer>(context);
        if (work is null) return;
        await DomainClaimRelease.ReleaseServiceAsync(work, context.Message.ServiceId, ReleaseReason.ServiceEnded, context.Message.TerminatedAt);
        await work.CommitAsync(context.CancellationToken);
    }
}

/// <summary>The domain's DKIM selector, shown by the domains API.</summary>
public sealed class DkimKeyPublishedConsumer(Database db) : IConsumer<DkimKeyPublished>
{
    public async Task Consume(ConsumeContext<DkimKeyPublished> context)
    {
        var m = context.Message;
        await using var work = await db.BeginConsumeAsync<DkimKeyPublishedConsumer>(context);
        if (work is null) return;
        await DomainClaims.SetSelectorAsync(work, m.ServiceId, m.Domain, m.Selector);
        await work.CommitAsync(context.CancellationToken);
    }
}
