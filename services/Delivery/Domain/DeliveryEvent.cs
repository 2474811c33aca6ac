namespace ProMTA.Delivery.Domain;

/// <summary>What can happen to a recipient, as stored in delivery_events (issue 6: counted per provider).</summary>
public static class DeliveryEvent
{
    public const string Accepted = "accepted";
    public const string Delivered = "delivered";
    public const string Deferred = "deferred";
    public const string Bounced = "bounced";
    /// <summary>Deferred until the message lifetime ended: final, like a bounce, but the ISP never refused it.</summary>
    public const string Expired = "expired";
    /// <summary>The recipient reported the message as spam (an ARF report matched to it).</summary>
    public const string Complained = "complained";
    /// <summary>
    /// The suppression list decided about the address: a message to it was refused at RCPT (no message id), a queued
    /// message to it was dropped because the address was listed after it was queued, or a hard bounce or complaint has
    /// just put it on the list (the recipient that caused it).
    /// </summary>
    public const string Suppressed = "suppressed";
    /// <summary>Our egress held the recipient back for its lane's pace: once per hold episode, not per hold.</summary>
    public const string Paced = "paced";
    /// <summary>Removed from the queue by a purge (queue control): never offered to the ISP, no bounce report.</summary>
    public const string Purged = "purged";

    /// <summary>The events that end a recipient's delivery in failure: its sender is told with a DSN (MessageQueue's CompleteSql).</summary>
    public static bool IsFailure(string? e) => e is Bounced or Expired or Suppressed;
}
