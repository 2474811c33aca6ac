using MimeKit;
using ProMTA.Contracts.Delivery;
using ProMTA.Delivery.Data;

namespace ProMTA.Delivery.Inbound;

/// <summary>What a message turned out to be, and for reports what it says about the original mail.</summary>
public sealed record InboundClassification(
    string Kind, IReadOnlyList<ReportedRecipient> Recipients, string? FeedbackType, string? OriginalMessageId, HeaderList? OriginalHeaders = null)
{
    public static readonly InboundClassification Mail = new(InboundKind.Mail, [], null, null);
}

/// <summary>
/// Tells delivery status notifications (RFC 3464) and ARF feedback reports (RFC 5965) from ordinary mail by their
/// multipart/report type, and reads their essentials with MimeKit's message/delivery-status and message/feedback-report
/// parts. A report too broken to read is still a report (the raw message is kept); anything else is ordinary mail.
/// </summary>
public static class InboundClassifier
{
    public static InboundClassification Classify(MimeMessage message)
    {
        if (FindReport(message.Body, depth: 0) is not { } report) return InboundClassification.Mail;
        if (string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            var returned = OriginalMessage(report);
            return new(InboundKind.Dsn, DsnRecipients(report), null, returned?.MessageId, returned?.Headers);
        }
        if (string.Equals(report.ReportType, "feedback-report", StringComparison.OrdinalIgnoreCase))
        {
            var original = OriginalMessage(report);
            var fields = report.OfType<MessageFeedbackReport>().FirstOrDefault()?.Fields ?? [];
            List<string> recipients = [.. fields.Where(f => f.Field.Equals("Original-Rcpt-To", StringComparison.OrdinalIgnoreCase)).Select(f => Address(f.Value))];
            // Original-Rcpt-To is optional (RFC 5965 3.2); the returned message's To is what the complainant received.
            if (recipients.Count == 0 && original is not null) recipients.AddRange(original.To.Mailboxes.Select(m => m.Address));
            return new(InboundKind.Arf, [.. recipients.Where(r => r.Length > 0).Select(r => new ReportedRecipient { Address = r })],
                fields["Feedback-Type"]?.Trim().ToLowerInvariant(), original?.MessageId, original?.Headers);
        }
        return InboundClassification.Mail;
    }

    /// <summary>The report itself, or one wrapped in a multipart/mixed by a gateway that added a footer.</summary>
    private static MultipartReport? FindReport(MimeEntity? entity, int depth) => entity switch
    {
        MultipartReport report => report,
        Multipart multipart when depth < 3 => multipart.Select(child => FindReport(child, depth + 1)).FirstOrDefault(r => r is not null),
        _ => null,
    };

    /// <summary>One per recipient group (the first group is about the message): Final-Recipient, else Original-Recipient.</summary>
    private static List<ReportedRecipient> DsnRecipients(MultipartReport report)
    {
        var status = report.OfType<MessageDeliveryStatus>().FirstOrDefault();
        if (status is null) return [];
        return [.. status.StatusGroups.Skip(1)
            .Select(g => new ReportedRecipient
            {
                Address = Address(g["Final-Recipient"] ?? g["Original-Recipient"]),
                Action = g["Action"]?.Trim().ToLowerInvariant(),
                Status = g["Status"]?.Trim(),
                Diagnostic = g["Diagnostic-Code"]?.Trim(),
            })
            .Where(r => r.Address.Length > 0)];
    }

    /// <summary>The returned original: a whole message/rfc822 or only its headers (text/rfc822-headers).</summary>
    private static MimeMessage? OriginalMessage(MultipartReport report) =>
        report.OfType<MessagePart>().Select(p => p.Message).FirstOrDefault(m => m is not null);

    /// <summary>"rfc822; user@example.com" (an address type, then the address) or a bare address, without angle brackets.</summary>
    private static string Address(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "";
        var semicolon = value.IndexOf(';');
        return value[(semicolon + 1)..].Trim().Trim('<', '>').Trim();
    }
}
