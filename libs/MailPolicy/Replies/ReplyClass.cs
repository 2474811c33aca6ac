namespace ProMTA.MailPolicy.Replies;

/// <summary>What a reply means for shaping; the controller reacts to the class, never to raw text.</summary>
public enum ReplyClass
{
    /// <summary>2xx: the message was taken.</summary>
    Accepted,

    /// <summary>The ISP asks us to slow down (Gmail 4.7.28, Outlook 4.7.650, Yahoo TS0x, 421 too many): decrease.</summary>
    RateLimited,

    /// <summary>The IP's reputation or a blocklist listing: suspend this IP x provider for a while.</summary>
    Reputation,

    /// <summary>Missing or failing SPF/DKIM/DMARC: suspend the tenant x provider and tell the customer.</summary>
    Authentication,

    /// <summary>About one recipient (5.1.1, 4.2.2): no shaping effect, but hard bounces count against the tenant.</summary>
    Recipient,

    /// <summary>The destination could not be reached: dead-destination backoff.</summary>
    ConnectionFailure,

    /// <summary>Any other 4xx (greylisting, temporary local problem at the ISP).</summary>
    OtherTransient,

    /// <summary>Any other 5xx (content rejected, policy).</summary>
    OtherPermanent,
}
