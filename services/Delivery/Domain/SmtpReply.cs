namespace ProMTA.Delivery.Domain;

public enum Outcome { Delivered, Deferred, Bounced }

/// <summary>What a receiving server's reply means for one recipient: 2xx delivered, 4xx try again, 5xx bounce.</summary>
public static class SmtpReply
{
    public static Outcome Classify(int code) => code switch
    {
        >= 200 and < 300 => Outcome.Delivered,
        >= 500 and < 600 => Outcome.Bounced,
        _ => Outcome.Deferred,
    };
}
