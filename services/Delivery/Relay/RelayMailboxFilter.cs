using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Data;
using ProMTA.Delivery.Smtp;
using ProMTA.MailPolicy.Providers;

namespace ProMTA.Delivery.Relay;

/// <summary>
/// Never an open relay: MAIL and RCPT need an authenticated session, whatever the endpoint's settings. The account's
/// status is read again at every MAIL, so a suspension applies to sessions that were already open.
/// </summary>
internal sealed partial class RelayMailboxFilter(
    Database db, ProviderCatalog providers, IOptions<RelayOptions> relay, TimeProvider time, ILogger<RelayMailboxFilter> log) : IMailboxFilter
{
    public async Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
    {
        var serviceId = RelaySession.Service(context) ?? throw AuthenticationRequired();
        var (account, sendingDomains) = await RelayAccounts.FindWithSendingDomainsAsync(db, serviceId, cancellationToken);
        if (account is not null) RelaySession.SetHostname(context, SourceHostnames.First(account.SourceHostnames, relay.Value.Hostname));
        if (account?.Status == RelayAccounts.Active) SenderPolicy.CheckEnvelope(context, sendingDomains, from);
        return account?.Status switch
        {
            RelayAccounts.Active => true,
            RelayAccounts.Suspended => throw RelaySession.Reply(550, "5.7.1 Relaying refused: this service is suspended because its renewal is unpaid; queued mail is held until it is paid"),
            _ => throw RelaySession.Reply(550, "5.7.1 Relaying refused: this service has ended"),
        };
    }

    public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        var serviceId = RelaySession.Service(context) ?? throw AuthenticationRequired();
        if (string.IsNullOrEmpty(to.Host)) throw RelaySession.Reply(550, "5.1.3 Recipient address must include a domain");
        var address = $"{to.User}@{to.Host}";
        if (await Suppressions.ReasonAsync(db, serviceId, address, cancellationToken) is { } reason)
        {
            const string refusal = "5.1.1 Recipient suppressed: it hard-bounced or complained before; remove it from the suppression list to send again";
            try
            {
                // The customer's webhooks hear of it too (a sending program may not log the 550 per address).
                await Suppressions.RecordRefusedAsync(db, serviceId, address, providers.ForRecipientDomain(to.Host).Label, $"550 {refusal} ({reason})", time.GetUtcNow(), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The refusal stands without its event: a lost notice is better than a suppressed address let through.
                LogEventNotRecorded(ex, serviceId);
            }
            throw RelaySession.Reply(550, refusal);
        }
        return true;
    }

    [LoggerMessage(LogLevel.Warning, "Recording the suppressed event of a refused recipient of {ServiceId} failed")]
    private partial void LogEventNotRecorded(Exception ex, Guid serviceId);

    private static SmtpResponseException AuthenticationRequired() => RelaySession.Reply(530, "5.7.0 Authentication required");
}
