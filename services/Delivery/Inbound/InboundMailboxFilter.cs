using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Smtp;
using ProMTA.ServiceDefaults.Data;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Storage;

namespace ProMTA.Delivery.Inbound;

/// <summary>
/// Never an open relay: a recipient is accepted only at a domain we host (any local part, so replies to any sender
/// address and VERP bounce addresses arrive). Anyone may send, with or without a reverse path: that is what an MX is for.
/// </summary>
internal sealed class InboundMailboxFilter(Database db, IOptions<InboundOptions> options) : IMailboxFilter
{
    private const string RecipientsKey = "promta:inbound-recipients";
    private const string RecipientCountKey = "promta:inbound-recipient-count";

    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
    {
        // MAIL ... SIZE= over the limit never gets here: SmtpServer answers it with 552 itself (MaxMessageSizeHandling.Strict).
        // A new transaction: its recipients are counted from zero.
        context.Properties[RecipientCountKey] = 0;
        return Task.FromResult(true);
    }

    public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(to.Host)) throw SmtpSessionInfo.Reply(550, "5.1.3 Recipient address must include a domain");
        var count = context.Properties.TryGetValue(RecipientCountKey, out var n) && n is int accepted ? accepted : 0;
        if (count >= options.Value.MaxRecipients) throw SmtpSessionInfo.Reply(452, "4.5.3 Too many recipients");
        var serviceId = await HostedDomains.ServiceOfAsync(db, to.Host, cancellationToken)
            ?? throw SmtpSessionInfo.Reply(550, $"5.7.1 Relaying denied: {to.Host} is not hosted here");
        Recipients(context)[to.AsAddress().ToLowerInvariant()] = serviceId;
        context.Properties[RecipientCountKey] = count + 1;
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
