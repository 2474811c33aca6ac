using System.Text;
using MimeKit;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Inbound;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>Reports as other MTAs write them: what is a DSN, what is an ARF report, and what they say.</summary>
public sealed class InboundClassifierTests
{
    [Fact]
    public void A_dsn_lists_every_recipient_group_with_its_action_and_status_and_falls_back_to_the_original_recipient()
    {
        var message = Parse("""
            From: MAILER-DAEMON@mx.example.org
            To: sender@customer.test
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"

            --b
            Content-Type: text/plain

            Two failed.
            --b
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.org

            Final-Recipient: rfc822; <ann@example.org>
            Action: failed
            Status: 5.1.1

            Original-Recipient: rfc822;bob@example.org
            Action: Delayed
            Status: 4.2.2
            --b
            Content-Type: message/rfc822

            From: sender@customer.test
            Message-ID: <abc@customer.test>
            Subject: hi

            body
            --b--
            """);

        var result = InboundClassifier.Classify(message);

        Assert.Equal(InboundKind.Dsn, result.Kind);
        Assert.Equal([("ann@example.org", "failed", "5.1.1"), ("bob@example.org", "delayed", "4.2.2")],
            result.Recipients.Select(r => (r.Address, r.Action, r.Status)));
        Assert.Equal("abc@customer.test", result.OriginalMessageId);
    }

    [Fact]
    public void An_arf_report_without_original_rcpt_to_names_the_returned_messages_recipient()
    {
        var message = Parse("""
            From: fbl@isp.example
            To: abuse@customer.test
            Subject: FW: complaint
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=feedback-report; boundary="b"

            --b
            Content-Type: text/plain

            A complaint.
            --b
            Content-Type: message/feedback-report

            Feedback-Type: Abuse
            User-Agent: SomeFBL/1.0
            Version: 1
            --b
            Content-Type: text/rfc822-headers

            From: news@customer.test
            To: reader@isp.example
            Message-ID: <n1@customer.test>
            --b--
            """);

        var result = InboundClassifier.Classify(message);

        Assert.Equal((InboundKind.Arf, "abuse", "n1@customer.test"), (result.Kind, result.FeedbackType, result.OriginalMessageId));
        Assert.Equal(["reader@isp.example"], result.Recipients.Select(r => r.Address));
    }

    [Fact]
    public void A_report_wrapped_by_a_gateway_is_still_a_report_and_other_reports_and_plain_mail_are_ordinary_mail()
    {
        var wrapped = Parse("""
            From: MAILER-DAEMON@mx.example.org
            To: sender@customer.test
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"

            --b
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.org

            Final-Recipient: rfc822; ann@example.org
            Action: failed
            Status: 5.2.2
            --b--
            --outer
            Content-Type: text/plain

            Scanned by a gateway.
            --outer--
            """);
        var readReceipt = Parse("""
            From: reader@example.org
            To: sender@customer.test
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=disposition-notification; boundary="b"

            --b
            Content-Type: text/plain

            Read.
            --b--
            """);
        var reply = Parse("""
            From: reader@example.org
            To: sender@customer.test
            Subject: Re: hi

            Thanks.
            """);

        Assert.Equal(InboundKind.Dsn, InboundClassifier.Classify(wrapped).Kind);
        Assert.Equal("5.2.2", Assert.Single(InboundClassifier.Classify(wrapped).Recipients).Status);
        Assert.Same(InboundClassification.Mail, InboundClassifier.Classify(readReceipt));
        Assert.Same(InboundClassification.Mail, InboundClassifier.Classify(reply));
    }

    private static MimeMessage Parse(string text) =>
        MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(text.ReplaceLineEndings("\r\n"))));
}
