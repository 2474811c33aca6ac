using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.MailPolicy.Replies;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Outbound.Outcome;

/// <summary>
/// The last stage: what a reply (or our own pacing) makes of each recipient, delivered, deferred with backoff, bounced or
/// held, written back to the queue in one statement per batch. The only caller of <see cref="MessageQueue.CompleteAsync"/>.
/// </summary>
internal sealed partial class RecipientOutcomes(
    Database db, ReplyClassifier classifier, IOptions<OutboundOptions> options, TimeProvider time, DeliveryMetrics metrics,
    ILogger<RecipientOutcomes> log)
{
    /// <summary>
    /// Writes the batch's next states (and their delivery events) in one transaction, each under the claim it was sent
    /// under: a result whose claim ended and was taken over (a batch that outlived its lease) is dropped, and the claim
    /// that took it decides.
    /// </summary>
    public async Task CompleteAsync(IReadOnlyList<RecipientResult> results, CancellationToken ct)
    {
        var written = await MessageQueue.CompleteAsync(db, results, time.GetUtcNow(), ct);
        if (written < results.Count) LogClaimsEnded(results.Count - written, results.Count);
    }

    /// <summary>The ISP's (or our connection's) answer for one recipient sent from <paramref name="sourceIp"/> as <paramref name="provider"/>.</summary>
    public RecipientResult Replied(ClaimedRecipient r, SmtpReply reply, string? sourceIp, string provider)
    {
        var now = time.GetUtcNow();
        var text = $"{reply.Code} {reply.Text}".Trim();
        var outcome = reply.Outcome;
        metrics.Attempted(r.Provider, outcome.ToString());
        LogAttempt(r.Address, sourceIp, text, outcome);
        if (outcome == DeliveryOutcome.Delivered)
            return new RecipientResult(r.Id, r.ClaimedUntil, "Delivered", text, sourceIp, false, now, Event: DeliveryEvent.Delivered);
        if (outcome != DeliveryOutcome.Deferred)
            return new RecipientResult(r.Id, r.ClaimedUntil, "Bounced", text, sourceIp, false, now, classifier.Classify(reply, provider).Bounce, DeliveryEvent.Bounced);
        var lifetime = options.Value.MessageLifetime;
        var next = now + options.Value.Retry.After(r.Attempts, Random.Shared.NextDouble());
        // Expired keeps the Bounced status (the statistics' bounced count) but is its own event and bounce class.
        return next > r.ExpiresAt
            ? new RecipientResult(r.Id, r.ClaimedUntil, "Bounced", $"{text} (no delivery within {lifetime})", sourceIp, true, now, BounceClass.Expired, DeliveryEvent.Expired)
            : new RecipientResult(r.Id, r.ClaimedUntil, "Queued", text, sourceIp, true, next, Event: DeliveryEvent.Deferred);
    }

    /// <summary>
    /// Handed back by our own pacing (no ISP was asked, so no attempt and no deferral). The first hold of an episode is a
    /// paced event (the customer sees we hold mail back, and why); the holds that follow until the next real attempt
    /// write none, so a long hold of a large queue costs one event per recipient, not one per claim.
    /// </summary>
    public static RecipientResult Held(ClaimedRecipient r, DateTimeOffset until, string? sourceIp, string provider, string lane) =>
        new(r.Id, r.ClaimedUntil, "Queued", $"held by adaptive throttling for the {provider} lane from {lane} until {until:u}", sourceIp, false, until,
            Event: r.Paced ? null : DeliveryEvent.Paced);

    /// <summary>Listed after it was queued (a complaint about an earlier message): dropped, not sent; the sender is told.</summary>
    public RecipientResult Suppressed(ClaimedRecipient r) =>
        new(r.Id, r.ClaimedUntil, "Bounced", "550 5.1.1 Recipient suppressed after this message was queued (a bounce or complaint about an earlier message); not sent",
            null, false, time.GetUtcNow(), BounceClass.Policy, DeliveryEvent.Suppressed);

    /// <summary>Every source IP of the service is listed for the recipient's provider: back when the blocklists are next checked.</summary>
    public static RecipientResult Listed(ClaimedRecipient r, string zones, DateTimeOffset until) =>
        new(r.Id, r.ClaimedUntil, "Queued", $"held: {string.Join(", ", r.SourceIps)} listed by {zones}; sent when delisted", null, false, until);

    [LoggerMessage(LogLevel.Warning, "{Dropped} of {Results} results not written: their claim had ended, and the recipients were claimed again or left the queue")]
    private partial void LogClaimsEnded(int dropped, int results);

    [LoggerMessage(LogLevel.Information, "Delivery to {Recipient} from {SourceIp}: {Reply} ({Outcome})")]
    private partial void LogAttempt(string recipient, string? sourceIp, string reply, DeliveryOutcome outcome);
}
