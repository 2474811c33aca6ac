namespace ProMTA.MailPolicy.Replies;

/// <summary>
/// Why a recipient bounced, decided by the same rule table as the <see cref="ReplyClass"/> (a rule's <c>bounce</c>
/// field, else a default per class). Only <see cref="UserUnknown"/> says something final about the address itself.
/// </summary>
public enum BounceClass
{
    /// <summary>The mailbox does not exist (5.1.1, 5.1.10, "user unknown"): a hard bounce that suppresses the address.</summary>
    UserUnknown,

    /// <summary>Over quota (x.2.2).</summary>
    MailboxFull,

    /// <summary>The sender's reputation, a blocklist, authentication or another policy (5.7.x).</summary>
    Policy,

    /// <summary>The message's content (spam, virus).</summary>
    Content,

    /// <summary>The recipient's domain cannot receive mail (5.1.2, 5.4.4).</summary>
    Dns,

    /// <summary>Anything else.</summary>
    Other,

    /// <summary>Never refused, only deferred until the message lifetime ended; never given by a rule.</summary>
    Expired,
}

/// <summary>What a bounce class means for the address.</summary>
public static class BounceClasses
{
    /// <summary>True when the address is suppressed for its service: only a mailbox that does not exist.</summary>
    public static bool Suppresses(this BounceClass bounceClass) => bounceClass == BounceClass.UserUnknown;

    /// <summary>The class a reply gets when its rule names none.</summary>
    internal static BounceClass DefaultFor(ReplyClass replyClass) => replyClass switch
    {
        ReplyClass.Reputation or ReplyClass.Authentication => BounceClass.Policy,
        _ => BounceClass.Other,
    };
}
