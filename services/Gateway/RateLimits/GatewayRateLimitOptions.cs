namespace ProMTA.Gateway.RateLimits;

/// <summary>The gateway's limits, bound from RateLimits (docs/security.md lists them).</summary>
public sealed class GatewayRateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Login attempts per client IP per minute: slows password guessing.</summary>
    public int LoginPerMinute { get; set; } = 10;

    /// <summary>Signups and demo requests per client IP per minute.</summary>
    public int SignupPerMinute { get; set; } = 60;

    /// <summary>
    /// Password-reset requests and uses of mailed links per client IP per minute: slows guessing link tokens and mailing
    /// strangers (Ordering also mails at most Accounts:LinksPerHour links per account).
    /// </summary>
    public int AccountLinksPerMinute { get; set; } = 10;

    /// <summary>Requests per second per authenticated account, or per client IP for anonymous requests, on every other route.</summary>
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>
    /// Unknown credentials per client IP per minute: past it, a credential the gateway has not already verified is
    /// refused with 429 without asking Ordering, so made-up API keys cannot turn into database lookups.
    /// </summary>
    public int FailedCredentialsPerMinute { get; set; } = 30;
}
