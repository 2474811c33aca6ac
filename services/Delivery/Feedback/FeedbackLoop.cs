using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Inbound;
using ProMTA.Delivery.Outbound;
using ProMTA.ServiceDefaults.Data;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Replies;

namespace ProMTA.Delivery.Feedback;

/// <summary>What a matched report tells the throttling controller once it is stored: a complaint, or a late bounce's reply.</summary>
internal sealed record FeedbackSignal(Guid ServiceId, string Domain, string Provider, string? SourceIp, SmtpReply? Bounce, DateTimeOffset? DeliveredAt = null);

/// <summary>
/// Closes the loop for reports our inbound MX accepts. A complaint (ARF, RFC 5965) is matched by the token our header
/// carries in the returned original (or our VERP Return-Path; when the ISP stripped both, by the original's Message-ID
/// within the hosting service, for a message to one address); a late bounce (DSN, RFC 3464) by the VERP return path it was sent to. Both must
/// name, with a valid MAC, a recipient of the service that hosts the domain. Then, in the inbox row's transaction: the
/// complainer is suppressed (Complaint) and a complained event written; a bounce is classified by the controller's own
/// rule table like a synchronous reply, the recipient becomes Bounced (event, sender's DSN) and a hard bounce is
/// suppressed. After the commit the controller hears of each (<see cref="FeedAsync"/>). Anything unmatched, forged or
/// seen before is stored and announced as before, and changes nothing.
/// </summary>
internal sealed partial class FeedbackLoop(VerpAddresses verp, ThrottleController throttle, MxResolver resolver, ILogger<FeedbackLoop> log)
{
    // RFC 5965 3: "abuse" is the spam button, "fraud" a phishing report; "not-spam", "virus" and "other" are no complaint.
    private static readonly string[] ComplaintTypes = ["abuse", "fraud"];

    /// <summary>Applies a report stored for <paramref name="serviceId"/> and sent to <paramref name="envelopeRecipients"/>.</summary>
    public async Task<IReadOnlyList<FeedbackSignal>> ApplyAsync(
        UnitOfWork work, Guid serviceId, InboundClassification report, IReadOnlyList<string> envelopeRecipients, DateTimeOffset now)
    {
        return report.Kind switch
        {
            // A complaint can still be matched by the original's Message-ID without VERP; a late bounce cannot.
            InboundKind.Arf => await ComplaintAsync(work, serviceId, report, now),
            InboundKind.Dsn when verp.Enabled => await LateBouncesAsync(work, serviceId, report, envelopeRecipients, now),
            _ => [],
        };
    }

    /// <summary>
    /// Tells the controller, outside any transaction (the provider comes from the recipient domain's MX, as when it was
    /// sent). A failure here is logged: the report is stored and its suppression and event are committed already.
    /// </summary>
    public async Task FeedAsync(IReadOnlyList<FeedbackSignal> signals, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var signal in signals)
        {
            try
            {
                var route = await resolver.ResolveAsync(signal.Domain, ct);
                var provider = throttle.Providers.ShapedAs(signal.Provider, route.Targets.Count > 0 ? route.Targets[0].Host : null);
                var tenant = signal.ServiceId.ToString();
                if (signal.Bounce is { } reply) throttle.Record(signal.SourceIp ?? Outbound.Egress.EgressPath.DefaultLane, provider, tenant, reply, now);
                else throttle.RecordComplaint(tenant, provider, now, signal.DeliveredAt);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                LogFeedFailed(ex, signal.ServiceId);
            }
        }
    }

    private async Task<IReadOnlyList<FeedbackSignal>> ComplaintAsync(UnitOfWork work, Guid serviceId, InboundClassification report, DateTimeOffset now)
    {
        if (report.FeedbackType is { } type && !ComplaintTypes.Contains(type)) return [];
        SentRecipient? recipient;
        if (TryRecipientOf(report.OriginalHeaders, out var id))
        {
            recipient = await SentRecipients.FindAsync(work, id, serviceId);
            if (recipient is null) LogNotOurs(id, serviceId);
        }
        else if (CarriesOurToken(report.OriginalHeaders)) return []; // a token or return path that does not verify is forged: no second guess
        else recipient = await ByMessageIdAsync(work, serviceId, report);
        if (recipient is null) return [];
        var detail = $"ARF {report.FeedbackType ?? "abuse"} report";
        if (!await SentRecipients.ComplainedAsync(work, recipient.Id, detail, now)) return [];
        await Suppressions.AddForRecipientAsync(work, recipient.Id, SuppressionReason.Complaint, detail, now);
        LogComplaint(recipient.Address, serviceId);
        return [new FeedbackSignal(serviceId, recipient.Domain, recipient.Provider, recipient.SourceIp, null, recipient.CompletedAt)];
    }

    /// <summary>
    /// An ISP that strips our token header and the Return-Path (Microsoft's and Yahoo's reports may, and they redact the
    /// recipient too) still returns the original's Message-ID: the service's delivered recipient of that message. Only
    /// the service that hosts the reporting domain is searched, so one customer's Message-ID can never point at another
    /// customer's recipient. Only a message that went to one address is matched: every recipient of a message to several
    /// knows its Message-ID, so a report naming "the other recipient" (Original-Rcpt-To) would let any of them get
    /// another suppressed; we would be guessing who complained.
    /// </summary>
    private async Task<SentRecipient?> ByMessageIdAsync(UnitOfWork work, Guid serviceId, InboundClassification report)
    {
        if (report.OriginalMessageId is not { } original || HeaderMessageId.Normalize(original) is not { } messageId) return null;
        var candidates = await SentRecipients.FindByHeaderMessageIdAsync(work, serviceId, messageId);
        if (candidates.Count == 0) return null;
        if (candidates.All(c => string.Equals(c.Address, candidates[0].Address, StringComparison.OrdinalIgnoreCase))) return candidates[0];
        LogAmbiguous(messageId, serviceId, candidates.Count);
        return null;
    }

    /// <summary>The returned original has our token header or a VERP Return-Path at all (valid or not).</summary>
    private static bool CarriesOurToken(HeaderList? headers) =>
        headers is not null && (!string.IsNullOrWhiteSpace(headers[VerpAddresses.Header])
            || headers[HeaderId.ReturnPath]?.Trim().TrimStart('<').StartsWith(VerpAddresses.Prefix, StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The recipient a returned original names: our token header first, else the VERP address its Return-Path kept.</summary>
    private bool TryRecipientOf(HeaderList? headers, out long id)
    {
        id = 0;
        if (headers is null) return false;
        if (verp.TryReadToken(headers[VerpAddresses.Header]?.Trim(), out id)) return true;
        var returnPath = headers[HeaderId.ReturnPath]?.Trim().Trim('<', '>');
        return verp.TryReadAddress(returnPath, out id);
    }

    private async Task<IReadOnlyList<FeedbackSignal>> LateBouncesAsync(
        UnitOfWork work, Guid serviceId, InboundClassification report, IReadOnlyList<string> envelopeRecipients, DateTimeOffset now)
    {
        var signals = new List<FeedbackSignal>();
        foreach (var address in envelopeRecipients)
        {
            if (!verp.TryReadAddress(address, out var id))
            {
                // A b+ address with a bad MAC is someone guessing; anything else is mail to an ordinary address.
                if (address.StartsWith(VerpAddresses.Prefix, StringComparison.OrdinalIgnoreCase)) LogForged(address);
                continue;
            }
            if (await SentRecipients.FindAsync(work, id, serviceId) is not { } recipient)
            {
                LogNotOurs(id, serviceId);
                continue;
            }
            if (GroupFor(report.Recipients, recipient.Address) is not { } group) continue;
            var reply = ReplyOf(group);
            var bounce = throttle.Classify(reply, throttle.Providers.ForLabel(recipient.Provider).Name).Bounce;
            var text = $"{reply.Code} {reply.Text} (reported after delivery)";
            if (!await SentRecipients.BouncedAsync(work, recipient.Id, text, bounce, now)) continue;
            if (bounce.Suppresses()) await Suppressions.AddForRecipientAsync(work, recipient.Id, SuppressionReason.HardBounce, text, now);
            LogLateBounce(recipient.Address, serviceId, bounce);
            signals.Add(new FeedbackSignal(serviceId, recipient.Domain, recipient.Provider, recipient.SourceIp, reply));
        }
        return signals;
    }

    /// <summary>
    /// The failed recipient group about <paramref name="address"/>, or the only failed group (a forwarder may have
    /// rewritten the address; the return path already named the recipient). Delayed and delivered reports are no bounce.
    /// </summary>
    private static Contracts.Delivery.ReportedRecipient? GroupFor(IReadOnlyList<Contracts.Delivery.ReportedRecipient> groups, string address)
    {
        var failed = groups.Where(g => g.Action == "failed").ToList();
        return failed.FirstOrDefault(g => string.Equals(g.Address, address, StringComparison.OrdinalIgnoreCase))
            ?? (failed.Count == 1 ? failed[0] : null);
    }

    /// <summary>
    /// The remote reply a DSN reports: its Diagnostic-Code when that is an SMTP reply ("smtp; 550 5.1.1 ..."), else the
    /// Status alone. A failed action is final whatever the code says, so the reply is a 5xx either way.
    /// </summary>
    private static SmtpReply ReplyOf(Contracts.Delivery.ReportedRecipient group)
    {
        var status = group.Status ?? "5.0.0";
        if (group.Diagnostic is { } diagnostic && diagnostic.IndexOf(';') is var semicolon and >= 0
            && diagnostic[..semicolon].Trim().Equals("smtp", StringComparison.OrdinalIgnoreCase))
        {
            var parsed = SmtpReply.Parse(string.Join(' ', diagnostic[(semicolon + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            if (parsed.Code is >= 500 and < 600) return parsed.EnhancedCode is null ? new SmtpReply(parsed.Code, $"{status} {parsed.Text}") : parsed;
        }
        return new SmtpReply(550, status);
    }

    [LoggerMessage(LogLevel.Information, "Complaint about {Recipient} of {ServiceId}: suppressed")]
    private partial void LogComplaint(string recipient, Guid serviceId);

    [LoggerMessage(LogLevel.Information, "Late bounce of {Recipient} of {ServiceId} ({BounceClass})")]
    private partial void LogLateBounce(string recipient, Guid serviceId, BounceClass bounceClass);

    [LoggerMessage(LogLevel.Warning, "A report named recipient {RecipientId}, which is not one of {ServiceId}'s; ignored")]
    private partial void LogNotOurs(long recipientId, Guid serviceId);

    [LoggerMessage(LogLevel.Warning, "A complaint about Message-ID {MessageId} of {ServiceId}, a message to {Candidates} recipients, is not matched: it cannot say which one complained")]
    private partial void LogAmbiguous(string messageId, Guid serviceId, int candidates);

    [LoggerMessage(LogLevel.Warning, "A report to {Address} carries no valid return path signature; ignored")]
    private partial void LogForged(string address);

    [LoggerMessage(LogLevel.Warning, "Telling the throttling controller about a report for {ServiceId} failed")]
    private partial void LogFeedFailed(Exception ex, Guid serviceId);
}
