namespace ProMTA.MailPolicy.WarmUp;

/// <summary>
/// Messages a warming IP sent to a provider on one warm-up day (the day is named by when it starts), to be stored and
/// added up across restarts and replicas: see <see cref="ThrottleController.TakeUnsavedWarmUpSends"/>.
/// </summary>
public sealed record WarmUpSends(string SourceIp, string Provider, DateTimeOffset DayStartsAt, long Sent);
