using MassTransit;
using ProMTA.Contracts.Dns;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Consumers;

/// <summary>Keeps the service's DKIM keys (still encrypted) so outbound mail is signed with the newest one.</summary>
public sealed partial class DkimKeyPublishedConsumer(Database db, ILogger<DkimKeyPublishedConsumer> log) : IConsumer<DkimKeyPublished>
{
    public async Task Consume(ConsumeContext<DkimKeyPublished> context)
    {
        var key = context.Message;
        await using var work = await db.BeginConsumeAsync<DkimKeyPublishedConsumer>(context);
        if (work is null) return;
        await DkimKeys.AddAsync(work, key.ServiceId, key.Selector, key.Domain, key.EncryptedPrivateKey, key.PublishedAt);
        await work.CommitAsync(context.CancellationToken);
        LogStored(key.ServiceId, key.Domain, key.Selector);
    }

    [LoggerMessage(LogLevel.Information, "DKIM key {Selector} of {Domain} stored for {ServiceId}")]
    private partial void LogStored(Guid serviceId, string domain, string selector);
}
