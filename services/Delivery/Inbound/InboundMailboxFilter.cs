using ProMTA.Delivery.Data;
using ProMTA.Delivery.Smtp;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Inbound;

/// <summary>
/// Never an open relay: a recipient is accepted only at a domain we host (any local part, so replies to any sender
/// address and VERP bounce addresses arrive). Anyone may send, with or without a reverse path: that is what an MX is for.
/// The engine counts recipients (Inbound:MaxRecipients) and refuses an oversized SIZE= before these are asked.
/// </summary>
internal sealed class InboundMailboxFilter(Database db) : IMailboxFilter
{
    private const string RecipientsKey = "promta:inbound-recipients";

    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(to.Host)) throw new SmtpResponseException(new(550, "5.1.3 Recipient address must include a domain"));
        var serviceId = await HostedDomains.ServiceOfAsync(db, to.Host, cancellationToken)
            ?? throw new SmtpResponseException(new(550, $"5.7.1 Relaying denied: {to.Host} is not hosted here"));
        Recipients(context)[to.AsAddress()!.ToLowerInvariant()] = serviceId;
        return true;
    }

    /// <summary>The service of each recipient accepted in this session, so the store does not look them up again.</summary>
    public static Dictionary<string, Guid> Recipients(ISessionContext context)
    {
        if (context.Properties.TryGetValue(RecipientsKey, out var value) && value is Dictionary<string, Guid> known) return known;
        var created = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        context.Properties[RecipientsKey] = created;
        return created;
    }
}
