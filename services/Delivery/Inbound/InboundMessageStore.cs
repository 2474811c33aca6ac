using System.Buffers;
using Microsoft.Extensions.Options;
using MimeKit;
using ProMTA.Contracts.Delivery;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Feedback;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Smtp;
using ProMTA.ServiceDefaults.Data;
using ProMTA.MailPolicy.Providers;

namespace ProMTA.Delivery.Inbound;

/// <summary>
/// Classifies what the inbound MX accepted and stores it, one row per service and hosted domain, with the reports'
/// events and the forwards of ordinary mail, all in one transaction: 250 only once it is committed (as the relay).
/// </summary>
internal sealed partial class InboundMessageStore(
    Database db, FeedbackLoop feedback, ProviderCatalog providers, TimeProvider time, IOptions<InboundOptions> options, IOptions<OutboundOptions> outbound,
    ILogger<InboundMessageStore> log) : IMessageStore
{
    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        // Loops (Inbound:MaxHops Received headers), header and size limits were refused by the engine already.
        var inbound = options.Value;
        var message = Parse(buffer);
        var classification = message is null ? InboundClassification.Mail : InboundClassifier.Classify(message);
        var known = InboundMailboxFilter.Recipients(context);
        var groups = transaction.To
            .Select(to => (Address: to.AsAddress()!, LocalPart: to.User, Domain: DomainForwarding.Normalize(to.Host)))
            .GroupBy(to => (Service: known.GetValueOrDefault(to.Address), to.Domain))
            .ToList();
        var now = time.GetUtcNow();
        var mailFrom = transaction.From.AsAddress() ?? "";
        var clientIp = context.RemoteEndPoint.Address.ToString();
        var helo = context.Helo;
        var stored = new List<(Guid Id, string Kind)>();
        var signals = new List<FeedbackSignal>();
        try
        {
            await using var work = await db.BeginAsync(cancellationToken);
            var forwards = new List<NewMessage>();
            foreach (var group in groups)
            {
                var id = Guid.CreateVersion7();
                var recipients = group.Select(r => r.Address).ToList();
                // Each row carries the trace header of its own id: what a forward delivers and what staff read.
                var received = ReceivedHeader.Create(helo, clientIp, inbound.Hostname, context.IsSecure, authenticated: false, id,
                    recipients.Count == 1 ? recipients[0] : null, now);
                var data = new byte[received.Length + buffer.Length];
                received.CopyTo(data, 0);
                buffer.CopyTo(data.AsSpan(received.Length));

                string? forwardTo = null;
                Guid? forwardId = null;
                if (classification.Kind == InboundKind.Mail && await DomainForwarding.FindAsync(work, group.Key.Service, group.Key.Domain) is { } address)
                {
                    forwardTo = address;
                    forwardId = Guid.CreateVersion7();
                    forwards.Add(Forward(forwardId.Value, group.Key.Service, group.Key.Domain, address, data, clientIp, now));
                }
                await InboundMessages.AddAsync(work, new NewInboundMessage(id, group.Key.Service, classification.Kind, group.Key.Domain,
                    RoleMailbox.Of(group.Select(r => r.LocalPart)), mailFrom, recipients, clientIp, helo, message?.Subject, message?.MessageId,
                    [.. classification.Recipients.Select(r => r.Address)], [.. classification.Recipients.Select(r => r.Action)],
                    [.. classification.Recipients.Select(r => r.Status)], classification.FeedbackType, classification.OriginalMessageId,
                    forwardTo, forwardId, data, now));
                if (classification.Kind != InboundKind.Mail)
                {
                    await work.PublishAsync(new InboundReportReceived
                    {
                        InboundMessageId = id, ServiceId = group.Key.Service, Kind = classification.Kind, Domain = group.Key.Domain,
                        Recipients = classification.Recipients, FeedbackType = classification.FeedbackType,
                        OriginalMessageId = classification.OriginalMessageId, ReceivedAt = now,
                    });
                }
                // Complaints and late bounces about our recipients: suppression and event commit with the inbox row.
                signals.AddRange(await feedback.ApplyAsync(work, group.Key.Service, classification, recipients, now));
                stored.Add((id, classification.Kind));
            }
            if (forwards.Count > 0) await MessageQueue.EnqueueAsync(work, forwards);
            await work.CommitAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not stored, so not accepted: the sending MTA keeps the message and tries again.
            LogStoreFailed(ex, mailFrom);
            return new SmtpResponse(451, "4.3.0 Temporary failure storing the message; try again");
        }
        foreach (var (id, kind) in stored) LogStored(id, kind, mailFrom, clientIp);
        await feedback.FeedAsync(signals, now, cancellationToken);
        return new SmtpResponse(250, $"2.0.0 Ok: stored as {stored[0].Id:N}");
    }

    /// <summary>
    /// The message as received, queued in our own durable queue for the service, so it leaves from the service's IPs and
    /// is signed with its key. Its reverse path is the domain's postmaster: if the customer's address refuses it, the
    /// report comes back to this MX and is stored as a DSN (reports are never forwarded, so this cannot loop).
    /// </summary>
    private NewMessage Forward(Guid id, Guid serviceId, string domain, string address, byte[] data, string? clientIp, DateTimeOffset now)
    {
        var to = MailboxAddress.Parse(address);
        return new NewMessage(id, serviceId, $"{RoleMailbox.Postmaster}@{domain}", data, clientIp,
            [new NewRecipient(to.Address, to.Domain.ToLowerInvariant(), providers.ForRecipientDomain(to.Domain).Label)], now, now + outbound.Value.MessageLifetime);
    }

    /// <summary>MimeKit reads nearly anything; what it cannot read is kept raw as ordinary mail.</summary>
    private static MimeMessage? Parse(ReadOnlySequence<byte> buffer)
    {
        try
        {
            return MimeMessage.Load(new MemoryStream(buffer.ToArray(), writable: false));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [LoggerMessage(LogLevel.Information, "Inbound {InboundId} stored as {Kind} from <{MailFrom}> ({ClientIp})")]
    private partial void LogStored(Guid inboundId, string kind, string mailFrom, string? clientIp);

    [LoggerMessage(LogLevel.Error, "Storing an inbound message from <{MailFrom}> failed")]
    private partial void LogStoreFailed(Exception ex, string mailFrom);
}
