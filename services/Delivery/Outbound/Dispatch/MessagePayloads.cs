using ProMTA.Delivery.Data;
using ProMTA.Delivery.Feedback;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Outbound.Dispatch;

/// <summary>What a batch's messages need on the wire: their stored bytes, their services' DKIM keys and hosted domains (VERP).</summary>
internal sealed record Payloads(IReadOnlyDictionary<Guid, byte[]> Data, IReadOnlyDictionary<Guid, DkimKeySet> Keys, ILookup<Guid, string>? Hosted);

/// <summary>Reads a batch's payloads in three queries, before any session opens (no database work while the ISP waits).</summary>
internal sealed class MessagePayloads(Database db, VerpAddresses verp)
{
    public async Task<Payloads> LoadAsync(IReadOnlyCollection<ClaimedRecipient> recipients, CancellationToken ct)
    {
        var services = recipients.Select(r => r.ServiceId).Distinct().ToList();
        var data = await MessageQueue.LoadDataAsync(db, recipients.Select(r => r.MessageId).Distinct(), ct);
        var keys = await DkimKeys.CurrentAsync(db, services, ct);
        var hosted = verp.Enabled ? await HostedDomains.OfServicesAsync(db, services, ct) : null;
        return new Payloads(data, keys, hosted);
    }
}
