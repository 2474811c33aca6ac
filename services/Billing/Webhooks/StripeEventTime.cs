namespace ProMTA.Billing.Webhooks;

public static class StripeEventTime
{
    /// <summary>Stripe.net reads Unix timestamps into UTC DateTimes.</summary>
    public static DateTimeOffset Of(DateTime created) => new(DateTime.SpecifyKind(created, DateTimeKind.Utc));
}
