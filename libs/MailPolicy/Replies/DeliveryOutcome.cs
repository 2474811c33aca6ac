namespace ProMTA.MailPolicy.Replies;

/// <summary>What one reply does to its recipient (<see cref="SmtpReply.Outcome"/>).</summary>
public enum DeliveryOutcome { Delivered, Deferred, Bounced }
