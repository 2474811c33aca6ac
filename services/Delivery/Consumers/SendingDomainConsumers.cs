using MassTransit;
using ProMTA.Contracts.Dns;
using ProMTA.Contracts.Ordering;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Domains;

namespace ProMTA.Delivery.Consumers;

/// <summary>The domain is delegated to us, so it is the customer's: the service may send as it (and names below it).</summary>
public sealed class SendingDomainVerifiedConsumer(Database db) : IConsumer<SendingDomainVerified>
{
    public async Task Consume(ConsumeContext<SendingDomainVerified> context)
    {
        var m = context.Message;
        await using var work = await db.BeginConsumeAsync<SendingDomainVerifiedConsumer>(context);
        if (work is null) return;
        if (DomainName.Normalize(m.Domain) is { } domain) await SendingDomains.AddAsync(work, m.ServiceId, domain, SendingDomainSource.Verified, m.VerifiedAt);
        await work.CommitAsync(context.CancellationToken);
    }
}

/// <summary>The service no longer holds the domain: the relay refuses it as a sender from now on (a staff grant stays).</summary>
public sealed class SendingDomainReleasedConsumer(Database db) : IConsumer<SendingDomainReleased>
{
    public async Task Consume(ConsumeContext<SendingDomainReleased> context)
    {
        var m = context.Message;
        await using var work = await db.BeginConsumeAsync<SendingDomainReleasedConsumer>(context);
        if (work is null) return;
        if (DomainName.Normalize(m.Domain) is { } domain) await SendingDomains.RemoveAsync(work, m.ServiceId, domain, SendingDomainSource.Verified);
        await work.CommitAsync(context.CancellationToken);
    }
}
