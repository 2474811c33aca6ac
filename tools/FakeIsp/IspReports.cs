using System.Globalization;
using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace ProMTA.FakeIsp;

/// <summary>The reports a receiving ISP sends back, shaped as the real ones: RFC 3464 bounces and RFC 5965 ARF complaints.</summary>
public static class IspReports
{
    /// <summary>An asynchronous bounce: the recipient was accepted at RCPT and turned out not to exist.</summary>
    public static MimeMessage Bounce(string providerDomain, string sender, string recipient, MimeMessage original, DateTimeOffset now)
    {
        var report = Envelope($"MAILER-DAEMON@{providerDomain}", sender, "Delivery Status Notification (Failure)", providerDomain, original, now);
        var status = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Reporting-MTA: dns; mx.{providerDomain}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Arrival-Date: {DateUtils.FormatDate(now)}\r\n")
            .Append("\r\n")
            .Append(CultureInfo.InvariantCulture, $"Final-Recipient: rfc822; {recipient}\r\n")
            .Append("Action: failed\r\n")
            .Append("Status: 5.1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: the mailbox does not exist\r\n");
        report.Body = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = $"Your message to <{recipient}> could not be delivered: the mailbox does not exist.\n" },
            new MessageDeliveryStatus { Content = Content(status.ToString()) },
            new TextRfc822Headers { Message = HeadersOf(original) },
        };
        return report;
    }

    /// <summary>A complaint: the recipient pressed "this is spam"; sent to the sender domain's abuse address.</summary>
    public static MimeMessage Complaint(
        string providerDomain, string sender, string recipient, string sourceIp, MimeMessage original, DateTimeOffset now)
    {
        var domain = sender[(sender.LastIndexOf('@') + 1)..];
        var report = Envelope($"fbl@{providerDomain}", $"abuse@{domain}", "Email Feedback Report", providerDomain, original, now);
        var fields = new StringBuilder()
            .Append("Feedback-Type: abuse\r\n")
            .Append(CultureInfo.InvariantCulture, $"User-Agent: ProMTA-FakeIsp/1.0 ({providerDomain})\r\n")
            .Append("Version: 1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Original-Mail-From: <{sender}>\r\n")
            .Append(CultureInfo.InvariantCulture, $"Original-Rcpt-To: <{recipient}>\r\n")
            .Append(CultureInfo.InvariantCulture, $"Arrival-Date: {DateUtils.FormatDate(now)}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Reported-Domain: {domain}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Source-IP: {sourceIp}\r\n");
        report.Body = new MultipartReport("feedback-report")
        {
            new TextPart("plain") { Text = $"This is an email abuse report for a message received from IP {sourceIp}.\n" },
            new MessageFeedbackReport { Content = Content(fields.ToString()) },
            new MessagePart { Message = original },
        };
        return report;
    }

    private static MimeMessage Envelope(string from, string to, string subject, string providerDomain, MimeMessage original, DateTimeOffset now)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Date = now;
        message.MessageId = MimeUtils.GenerateMessageId(providerDomain);
        message.Headers.Add("Auto-Submitted", "auto-replied");
        if (!string.IsNullOrEmpty(original.MessageId)) message.InReplyTo = original.MessageId;
        return message;
    }

    private static MimeMessage HeadersOf(MimeMessage original)
    {
        var headers = new MimeMessage();
        headers.Headers.Clear();
        foreach (var header in original.Headers) headers.Headers.Add(header);
        return headers;
    }

    private static MimeContent Content(string text) => new(new MemoryStream(Encoding.ASCII.GetBytes(text)));
}
