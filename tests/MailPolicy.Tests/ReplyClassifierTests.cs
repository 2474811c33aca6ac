using ProMTA.MailPolicy.Replies;
using Xunit;

namespace ProMTA.MailPolicy.Tests;

public sealed class ReplyClassifierTests
{
    private static readonly ReplyClassifier Classifier = ThrottlingData.Default.Replies;

    [Theory]
    [InlineData("421 4.7.28 [192.0.2.1] Our system has detected an unusual rate of mail originating from your IP address.", "gmail")]
    [InlineData("451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation.", "outlook")]
    [InlineData("421 4.7.0 [TS02] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints", "yahoo")]
    [InlineData("421 4.7.0 [TS03] Messages from 192.0.2.1 permanently deferred", "yahoo")]
    [InlineData("421 4.7.0 Too many connections from your IP", "default")]
    [InlineData("450 Rate limit exceeded, try again later", "default")]
    public void Rate_limit_replies_are_rate_limited(string line, string provider) =>
        Assert.Equal(ReplyClass.RateLimited, Classifier.Classify(SmtpReply.Parse(line), provider).Class);

    [Theory]
    [InlineData("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints", "yahoo")]
    [InlineData("421 4.7.0 [TSS05] Messages from 192.0.2.1 temporarily deferred", "yahoo")]
    [InlineData("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", "default")]
    [InlineData("421 4.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating from your IP address.", "gmail")]
    [InlineData("550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Part of their network is on our block list (S3150).", "outlook")]
    public void Reputation_and_blocklist_replies_suspend(string line, string provider) =>
        Assert.Equal(ReplyClass.Reputation, Classifier.Classify(SmtpReply.Parse(line), provider).Class);

    [Theory]
    [InlineData("550 5.7.26 This mail has been blocked because the sender is unauthenticated.")]
    [InlineData("550 5.7.27 The sender does not meet basic SPF requirements.")]
    [InlineData("550 5.7.30 This message does not have DKIM authentication.")]
    [InlineData("550 5.7.515 Access denied, sending domain does not meet the required authentication level.")]
    [InlineData("550 5.7.1 Message rejected: SPF check failed")]
    public void Authentication_failures_are_authentication(string line) =>
        Assert.Equal(ReplyClass.Authentication, Classifier.Classify(SmtpReply.Parse(line), "gmail").Class);

    [Theory]
    [InlineData("550 5.1.1 The email account that you tried to reach does not exist.")]
    [InlineData("452 4.2.2 The email account that you tried to reach is over quota.")]
    [InlineData("450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages.")]
    [InlineData("550 Requested action not taken: mailbox unavailable, user unknown")]
    public void Recipient_errors_are_recipient(string line) =>
        Assert.Equal(ReplyClass.Recipient, Classifier.Classify(SmtpReply.Parse(line), "gmail").Class);

    [Fact]
    public void A_connection_failure_is_never_read_as_the_isps_answer()
    {
        var failure = SmtpReply.ConnectionFailed("421 4.7.28 too many connections: connect timed out");
        Assert.Equal(ReplyClass.ConnectionFailure, Classifier.Classify(failure, "gmail").Class);
    }

    [Fact]
    public void Unknown_replies_fall_back_on_the_code()
    {
        Assert.Equal(ReplyClass.Accepted, Classifier.Classify(SmtpReply.Parse("250 2.0.0 OK queued"), "gmail").Class);
        Assert.Equal(ReplyClass.OtherTransient, Classifier.Classify(SmtpReply.Parse("451 4.3.0 Temporary local problem"), "gmail").Class);
        Assert.Equal(ReplyClass.OtherTransient, Classifier.Classify(SmtpReply.Parse("450 4.7.1 Greylisted, please try again later"), "gmail").Class);
        Assert.Equal(ReplyClass.OtherPermanent, Classifier.Classify(SmtpReply.Parse("554 5.6.0 Message content rejected"), "gmail").Class);
    }

    [Fact]
    public void Rules_can_be_overridden_with_local_rules_first()
    {
        var quirk = new ReplyRule
        {
            Name = "isp-x-quirk", Class = ReplyClass.RateLimited, Codes = [451], Contains = ["temporary local problem"], Provider = "ispx",
        };
        var data = ThrottlingData.Default with { Replies = new ReplyClassifier([quirk, .. ThrottlingData.Default.Replies.Rules]) };

        Assert.Equal(ReplyClass.RateLimited, data.Replies.Classify(SmtpReply.Parse("451 4.3.0 Temporary local problem"), "ispx").Class);
        Assert.Equal(ReplyClass.OtherTransient, data.Replies.Classify(SmtpReply.Parse("451 4.3.0 Temporary local problem"), "gmail").Class);
    }

    [Fact]
    public void Rules_can_be_replaced_from_json()
    {
        var data = ThrottlingData.FromJson(replyRulesJson: """
            { "rules": [ { "name": "everything-4xx-slows-down", "class": "RateLimited", "codes": [ 451 ] } ] }
            """);

        Assert.Equal(ReplyClass.RateLimited, data.Replies.Classify(SmtpReply.Parse("451 4.3.0 Temporary local problem"), "gmail").Class);
        Assert.Same(ThrottlingData.Default.Providers, data.Providers);
    }

    /// <summary>
    /// One reply, one answer to every question asked of it: what shaping does (the rule's class), why its recipient
    /// bounced (the same rule's bounce class, and whether that suppresses the address), the status a DSN reports, and
    /// whether the recipient is delivered, deferred or bounced (issues 16 and 19).
    /// </summary>
    [Theory]
    [InlineData("550 5.1.1 The email account that you tried to reach does not exist.", ReplyClass.Recipient, BounceClass.UserUnknown, true, "5.1.1")]
    [InlineData("550 5.1.10 RESOLVER.ADR.RecipientNotFound", ReplyClass.Recipient, BounceClass.UserUnknown, true, "5.1.10")]
    [InlineData("550 No such user here", ReplyClass.Recipient, BounceClass.UserUnknown, true, "5.0.0")]
    [InlineData("552 5.2.2 The recipient's inbox is out of storage space", ReplyClass.Recipient, BounceClass.MailboxFull, false, "5.2.2")]
    [InlineData("550 5.1.2 Host unknown, domain not found", ReplyClass.Recipient, BounceClass.Dns, false, "5.1.2")]
    [InlineData("550 5.4.4 The mail servers of example.org resolve only to internal addresses", ReplyClass.OtherPermanent, BounceClass.Dns, false, "5.4.4")]
    [InlineData("554 5.7.1 Message rejected as spam by Content Filtering", ReplyClass.OtherPermanent, BounceClass.Content, false, "5.7.1")]
    [InlineData("550 5.7.1 Service unavailable; client host blocked using Spamhaus", ReplyClass.Reputation, BounceClass.Policy, false, "5.7.1")]
    [InlineData("550 5.7.26 Unauthenticated email from example.org is not accepted", ReplyClass.Authentication, BounceClass.Policy, false, "5.7.26")]
    [InlineData("550 5.7.1 Relaying denied", ReplyClass.OtherPermanent, BounceClass.Policy, false, "5.7.1")]
    [InlineData("550 5.7.1 Requested action not taken: mailbox unavailable (policy)", ReplyClass.OtherPermanent, BounceClass.Policy, false, "5.7.1")]
    [InlineData("550 5.7.1 Recipient rejected: sender on the local deny list", ReplyClass.OtherPermanent, BounceClass.Policy, false, "5.7.1")]
    [InlineData("550 Requested action not taken: mailbox unavailable", ReplyClass.Recipient, BounceClass.UserUnknown, true, "5.0.0")]
    [InlineData("554 Transaction failed", ReplyClass.OtherPermanent, BounceClass.Other, false, "5.0.0")]
    [InlineData("550 4.4.1 Not connected", ReplyClass.OtherPermanent, BounceClass.Other, false, "5.0.0")]
    public void A_final_reply_gives_the_throttling_class_the_bounce_class_and_the_dsn_status(
        string line, ReplyClass replyClass, BounceClass bounceClass, bool suppresses, string dsnStatus)
    {
        var reply = SmtpReply.Parse(line);
        var classification = Classifier.Classify(reply, "default");

        Assert.Equal((replyClass, bounceClass, suppresses), (classification.Class, classification.Bounce, classification.Bounce.Suppresses()));
        Assert.Equal((dsnStatus, DeliveryOutcome.Bounced), (reply.DsnStatus, reply.Outcome));
    }

    [Theory]
    [InlineData("421 4.7.28 Our system has detected an unusual rate of mail originating from your IP address.", ReplyClass.RateLimited, "4.7.28")]
    [InlineData("452 4.2.2 The email account that you tried to reach is over quota.", ReplyClass.Recipient, "4.2.2")]
    [InlineData("451 Temporary local problem", ReplyClass.OtherTransient, "4.0.0")]
    public void A_transient_reply_defers_its_recipient_and_reports_a_transient_status(string line, ReplyClass replyClass, string dsnStatus)
    {
        var reply = SmtpReply.Parse(line);

        Assert.Equal((replyClass, dsnStatus, DeliveryOutcome.Deferred), (Classifier.Classify(reply, "gmail").Class, reply.DsnStatus, reply.Outcome));
    }

    [Fact]
    public void A_rule_from_json_names_its_bounce_class()
    {
        var data = ThrottlingData.FromJson(replyRulesJson: """
            { "rules": [ { "name": "isp-gone", "class": "OtherPermanent", "contains": [ "account closed" ], "bounce": "UserUnknown" } ] }
            """);

        Assert.Equal(BounceClass.UserUnknown, data.Replies.Classify(SmtpReply.Parse("550 account closed"), "default").Bounce);
        Assert.Equal(BounceClass.Other, data.Replies.Classify(SmtpReply.Parse("550 something else"), "default").Bounce);
    }
}
