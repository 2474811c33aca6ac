using MassTransit;
using ProMTA.Contracts.Ordering;
using ProMTA.Dns.Data;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Dns.Consumers;

/// <summary>
/// The service no longer holds the domain (payment failed, review rejected, service ended, removed, never delegated):
/// exactly what it published there goes, with the zone it created, and the domain is free to be hosted for its next owner.
/// </summary>
public sealed partial class SendingDomainReleasedConsumer(Database db, SendingDomainZone zone, ILogger<SendingDomainReleasedConsumer> log)
    : IConsumer<SendingDomainReleased>
{
    public async Task Consume(ConsumeContext<SendingDomainReleased> context)
    {
        var m = context.Message;
        await using var work = await db.BeginConsumeAsync<SendingDomainReleasedConsumer>(context);
        if (work is null) return;
        await zone.RemoveAsync(work, m.ServiceId, m.Domain, context.CancellationToken);
        await work.CommitAsync(context.CancellationToken);
        LogReleased(m.Domain, m.ServiceId, m.Reason);
    }

    [LoggerMessage(LogLevel.Information, "Sending domain {Domain} of {ServiceId} released ({Reason}): its records and zone are removed")]
    private partial void LogReleased(string domain, Guid serviceId, string reason);
}
