namespace ProMTA.MailPolicy.WarmUp;

/// <summary>One warm-up day of an IP for one provider: when it starts (the key its sends are stored under), when it ends, its cap.</summary>
public sealed record WarmUpDay(DateTimeOffset StartsAt, DateTimeOffset EndsAt, long Cap);
