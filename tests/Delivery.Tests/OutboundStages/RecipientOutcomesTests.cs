using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound.Outcome;
using ProMTA.MailPolicy.Replies;
using Xunit;
using static ProMTA.Delivery.Tests.OutboundStages.StageKit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>The outcome step: what a reply makes of its recipient.</summary>
public sealed class RecipientOutcomesTests
{
    [Fact]
    public void An_accepted_recipient_is_delivered()
    {
        using var kit = new StageKit();

        var result = kit.Outcomes().Replied(Recipient(1, "a@gmail.test"), new SmtpReply(250, "2.0.0 OK queued"), Ip, "gmail");

        Assert.Equal(("Delivered", DeliveryEvent.Delivered, false), (result.Status, result.Event, result.Deferred));
        Assert.Equal("250 2.0.0 OK queued", result.Reply);
    }

    [Fact]
    public void A_refused_recipient_bounces_with_the_class_the_rule_table_gives()
    {
        using var kit = new StageKit();

        var result = kit.Outcomes().Replied(Recipient(1, "a@gmail.test"), new SmtpReply(550, "5.1.1 The email account that you tried to reach does not exist."), Ip, "gmail");

        Assert.Equal(("Bounced", DeliveryEvent.Bounced, BounceClass.UserUnknown), (result.Status, result.Event, result.BounceClass));
    }

    [Fact]
    public void A_deferred_recipient_is_retried_after_the_backoff_of_its_attempt()
    {
        using var kit = new StageKit();

        var result = kit.Outcomes().Replied(Recipient(1, "a@gmail.test", attempts: 1), new SmtpReply(451, "4.3.0 Try again later"), Ip, "gmail");

        Assert.Equal(("Queued", DeliveryEvent.Deferred, true), (result.Status, result.Event, result.Deferred));
        // The first retry comes after RetryInitial, jittered by 25% either way.
        Assert.InRange(result.NextAttemptAt, T0 + kit.Options.RetryInitial * 0.75, T0 + kit.Options.RetryInitial * 1.25);
    }

    [Fact]
    public void A_recipient_deferred_past_the_end_of_its_lifetime_expires()
    {
        using var kit = new StageKit();
        var late = Recipient(1, "a@gmail.test") with { ExpiresAt = T0 + TimeSpan.FromSeconds(1) };

        var result = kit.Outcomes().Replied(late, new SmtpReply(451, "4.3.0 Try again later"), Ip, "gmail");

        Assert.Equal(("Bounced", DeliveryEvent.Expired, BounceClass.Expired), (result.Status, result.Event, result.BounceClass));
    }

    [Fact]
    public void A_hold_by_our_pacing_is_no_attempt_and_only_the_first_of_an_episode_is_an_event()
    {
        var until = T0 + TimeSpan.FromMinutes(5);

        var first = RecipientOutcomes.Held(Recipient(1, "a@gmail.test"), until, Ip, "gmail", Ip);
        var again = RecipientOutcomes.Held(Recipient(1, "a@gmail.test", paced: true), until, Ip, "gmail", Ip);

        Assert.Equal(("Queued", false, until, DeliveryEvent.Paced), (first.Status, first.Deferred, first.NextAttemptAt, first.Event));
        Assert.Null(again.Event);
    }

    [Fact]
    public void A_recipient_suppressed_after_it_was_queued_is_dropped_with_a_policy_bounce()
    {
        using var kit = new StageKit();

        var result = kit.Outcomes().Suppressed(Recipient(1, "a@gmail.test"));

        Assert.Equal(("Bounced", DeliveryEvent.Suppressed, BounceClass.Policy), (result.Status, result.Event, result.BounceClass));
    }
}
