using System.Buffers;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Outbound.Claiming;
using ProMTA.Delivery.Smtp;
using ProMTA.MailPolicy.Providers;

namespace ProMTA.Delivery.Relay;

/// <summary>
/// Answers 250 only once the message and its recipients are committed to PostgreSQL; unlimited, no quotas. A message
/// missing Date/Message-ID or with over-long lines is completed first (SubmissionFixes, RFC 6409 8); the DSN parameters
/// (RFC 3461) are stored with the message and its recipients for the DSN job.
/// </summary>
internal sealed partial class RelayMessageStore(
    QueueWriter writer, SenderPolicy senders, ProviderCatalog providers, TimeProvider time, IOptions<OutboundOptions> outbound, IOptions<RelayOptions> relay, DeliveryMetrics metrics, ClaimWakeUp wakeUp,
    ILogger<RelayMessageStore> log) : IMessageStore
{
    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var serviceId = RelaySession.Service(context) ?? throw RelaySession.Reply(530, "5.7.0 Authentication required");
        if (await senders.CheckHeaderAsync(context, serviceId, buffer, cancellationToken) is { } refused) return refused;
        var messageId = Guid.CreateVersion7();
        var recipients = transaction.To
            .Select(to => new NewRecipient(to.AsAddress()!, to.Host.ToLowerInvariant(), providers.ForRecipientDomain(to.Host).Label, DsnNotifyText(to.Notify), to.OriginalRecipient))
            .ToList();
        var now = time.GetUtcNow();
        var hostname = RelaySession.Hostname(context, relay.Value.Hostname);
        // Outside the try: a message that cannot be repaired is refused (554), not "try again".
        var headerBytes = transaction.Shape.HeaderBytes;
        if (transaction.Shape.NeedsSubmissionFix)
        {
            buffer = new ReadOnlySequence<byte>(SubmissionFixes.Apply(buffer, transaction.Shape, hostname, now));
            headerBytes = 0; // the headers changed: read up to the blank line
        }
        var headers = SubmittedHeaders.Load(buffer, headerBytes);
        var stream = MailStream.Of(RelaySession.CredentialStream(context), headers?[MailStream.Header]);
        try
        {
            var received = ReceivedHeader.Create(RelaySession.Helo(context), RelaySession.ClientIp(context), hostname,
                context.IsSecure, context.Authentication.IsAuthenticated, messageId,
                recipients.Count == 1 ? recipients[0].Address : null, now);
            // Stored with the trace header in front, so delivery sends the bytes as they are (no re-assembly per attempt).
            var data = new byte[received.Length + buffer.Length];
            received.CopyTo(data, 0);
            buffer.CopyTo(data.AsSpan(received.Length));
            // MAIL FROM:<> (a customer's own bounce or auto-reply) has no address: stored as "", the null reverse path.
            await writer.StoreAsync(new NewMessage(messageId, serviceId, transaction.From.AsAddress() ?? "", data,
                RelaySession.ClientIp(context), recipients, now, now + outbound.Value.MessageLifetime,
                DsnReturn: transaction.Parameters.Return switch { DsnReturn.Full => "FULL", DsnReturn.Headers => "HDRS", _ => null },
                EnvelopeId: transaction.Parameters.EnvelopeId, HeaderMessageId: HeaderMessageId.Of(headers), Stream: stream));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not stored, so not accepted: the client keeps the message and tries again.
            LogStoreFailed(ex, serviceId);
            return new SmtpResponse(451, "4.3.0 Temporary failure storing the message; try again");
        }
        // This process's claim loop takes transactional mail at once instead of at its next poll.
        if (stream == MailStream.Transactional) wakeUp.TransactionalQueued();
        metrics.Queued(recipients.Count);
        LogQueued(messageId, serviceId, recipients.Count);
        return new SmtpResponse(250, $"2.0.0 Ok: queued as {messageId:N}");
    }

    /// <summary>As stored in recipients.dsn_notify: "NEVER", or the outcomes to report ("SUCCESS,FAILURE"); null: not given.</summary>
    private static string? DsnNotifyText(DsnNotify? notify) => notify is { } n
        ? string.Join(',', Enum.GetValues<DsnNotify>().Where(f => n.HasFlag(f)).Select(f => f.ToString().ToUpperInvariant()))
        : null;

    [LoggerMessage(LogLevel.Information, "Queued {MessageId} for {ServiceId} with {Recipients} recipients")]
    private partial void LogQueued(Guid messageId, Guid serviceId, int recipients);

    [LoggerMessage(LogLevel.Error, "Storing a message for {ServiceId} failed")]
    private partial void LogStoreFailed(Exception ex, Guid serviceId);
}
