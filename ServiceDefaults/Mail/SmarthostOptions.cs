namespace ProMTA.ServiceDefaults.Mail;

/// <summary>
/// The smarthost a service mails its customers through (Billing:Email, Accounts:Email). Without a smarthost the mail is
/// only stored; each service says what it shows instead.
/// </summary>
public sealed class SmarthostOptions
{
    /// <summary>The SMTP server that relays our mail (host name or address).</summary>
    public string? SmartHost { get; set; }

    public int Port { get; set; } = 25;

    public string From { get; set; } = "ProMTA <no-reply@promta.local>";

    /// <summary>Optional SMTP AUTH credentials (from a secret store, never committed).</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>Refuse to send without STARTTLS; otherwise STARTTLS is used whenever the smarthost offers it.</summary>
    public bool RequireTls { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first retry after a failed attempt; it doubles each time, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(SmartHost);

    /// <summary>The wait after <paramref name="failedAttempts"/> failed attempts: doubling, capped.</summary>
    public TimeSpan RetryDelayAfter(int failedAttempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, RetryDelay.Ticks * (1L << Math.Min(failedAttempts, 20))));
}
