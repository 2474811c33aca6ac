using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Utils;
using ProMTA.MailPolicy.Replies;

namespace ProMTA.Delivery.Dsn;

/// <summary>
/// One recipient the report is about: its last reply, whether it expired instead of being refused, and the ORCPT its
/// sender gave ("rfc822;address", RFC 3461 4.2), reported back as Original-Recipient.
/// </summary>
public sealed record FailedRecipient(string Address, string LastReply, bool Expired, DateTimeOffset LastAttemptAt, string? OriginalRecipient = null);

/// <summary>
/// What the sender asked for at MAIL (RFC 3461): its ENVID, returned as Original-Envelope-Id, and with RET=FULL the whole
/// original message (<see cref="FullMessage"/>) instead of its headers.
/// </summary>
public sealed record DsnRequest(string? EnvelopeId = null, MimeMessage? FullMessage = null)
{
    public static readonly DsnRequest Default = new();
}

/// <summary>
/// Builds an RFC 3464 delivery status notification: multipart/report (report-type=delivery-status) with a human-readable
/// part, a message/delivery-status part (a per-message group, then one group per failed recipient) and the original
/// message's headers as text/rfc822-headers. It is sent with a null reverse path, so it can never cause another one.
/// </summary>
public static partial class DeliveryStatusNotification
{
    /// <summary>RFC 3463: X.4.7, delivery time expired.</summary>
    public const string ExpiredStatus = "4.4.7";

    public static MimeMessage Create(
        string reportingMta, string fromDomain, string sender, Guid queueId, DateTimeOffset arrivedAt, HeaderList originalHeaders,
        IReadOnlyList<FailedRecipient> failed, DateTimeOffset now, DsnRequest? request = null)
    {
        request ??= DsnRequest.Default;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", $"MAILER-DAEMON@{fromDomain}"));
        message.To.Add(MailboxAddress.Parse(sender));
        message.Subject = "Undelivered Mail Returned to Sender";
        message.Date = now;
        message.MessageId = MimeUtils.GenerateMessageId(fromDomain);
        // RFC 3834: an automatic reply; well-behaved software answers it with nothing.
        message.Headers.Add("Auto-Submitted", "auto-replied");
        if (originalHeaders[HeaderId.MessageId] is { Length: > 0 } originalId)
        {
            message.Headers.Add(HeaderId.InReplyTo, originalId);
            message.Headers.Add(HeaderId.References, originalId);
        }

        var report = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = HumanReadable(reportingMta, failed) },
            Status(reportingMta, queueId, arrivedAt, failed, request.EnvelopeId),
            // RFC 3462 / 6522: the third part is the returned message, whole (RET=FULL) or its headers.
            request.FullMessage is { } full ? new MessagePart { Message = full } : new TextRfc822Headers { Message = HeadersOnly(originalHeaders) },
        };
        message.Body = report;
        return message;
    }

    /// <summary>The enhanced status code (RFC 3463) of a reply, else the class its basic code implies.</summary>
    public static string StatusOf(FailedRecipient r)
    {
        if (r.Expired) return ExpiredStatus;
        return SmtpReply.Parse(RemoteReply(r)).DsnStatus;
    }

    /// <summary>The remote server's reply, without the note our queue adds when a recipient expires.</summary>
    public static string RemoteReply(FailedRecipient r) => ExpiryNote().Replace(r.LastReply, "");

    private static MessageDeliveryStatus Status(
        string reportingMta, Guid queueId, DateTimeOffset arrivedAt, IReadOnlyList<FailedRecipient> failed, string? envelopeId)
    {
        // RFC 3464 2.2: Original-Envelope-Id first when the sender gave an ENVID.
        var perMessage = new HeaderList();
        if (envelopeId is { Length: > 0 }) perMessage.Add("Original-Envelope-Id", envelopeId);
        perMessage.Add("Reporting-MTA", $"dns; {reportingMta}");
        perMessage.Add("X-ProMTA-Queue-ID", queueId.ToString("N"));
        perMessage.Add("Arrival-Date", DateUtils.FormatDate(arrivedAt));
        List<HeaderList> groups = [perMessage];
        foreach (var r in failed)
        {
            var group = new HeaderList();
            // RFC 3464 2.3.1: Original-Recipient (from ORCPT) precedes Final-Recipient.
            if (r.OriginalRecipient is { Length: > 0 } original) group.Add("Original-Recipient", original);
            group.Add("Final-Recipient", $"rfc822; {r.Address}");
            group.Add("Action", "failed");
            group.Add("Status", StatusOf(r));
            group.Add("Diagnostic-Code", $"smtp; {RemoteReply(r)}");
            group.Add("Last-Attempt-Date", DateUtils.FormatDate(r.LastAttemptAt));
            groups.Add(group);
        }
        // Written by hand: each group ends with a blank line, and MimeKit's own StatusGroups writer keeps the last one,
        // which readers (MimeKit among them) take for an empty extra recipient group. RFC 3464: groups separated by one
        // blank line, none after the last.
        var content = new MemoryStream();
        foreach (var group in groups) group.WriteTo(content);
        var end = content.GetBuffer().AsSpan(0, (int)content.Length);
        content.SetLength(end.Length - (end.EndsWith("\r\n"u8) ? 2 : 1));
        content.Position = 0;
        return new MessageDeliveryStatus { Content = new MimeContent(content) };
    }

    private static string HumanReadable(string reportingMta, IReadOnlyList<FailedRecipient> failed)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"This is the mail system at host {reportingMta}.\n\n")
            .Append("Your message could not be delivered to the recipients below. The headers of your message are attached.\n\n");
        foreach (var r in failed)
        {
            text.Append(CultureInfo.InvariantCulture, $"<{r.Address}>: ")
                .Append(r.Expired ? $"no delivery before the message's lifetime ended; the last answer was: {RemoteReply(r)}" : $"the receiving server answered: {RemoteReply(r)}")
                .Append('\n');
        }
        return text.ToString();
    }

    private static MimeMessage HeadersOnly(HeaderList headers)
    {
        var message = new MimeMessage();
        message.Headers.Clear();
        foreach (var header in headers) message.Headers.Add(header);
        return message;
    }

    [GeneratedRegex(@"\s*\(no delivery within [^)]*\)$")]
    private static partial Regex ExpiryNote();
}
