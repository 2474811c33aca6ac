namespace ProMTA.Gateway.RateLimits;

public sealed class GatewayRateLimitOptions
{
    /// <summary>Login attempts per client IP per minute: slows password guessing.</summary>
    public int LoginPerMinute { get; set; } = 10;

    /// <summary>Signups and demo requests per client IP per minute.</summary>
    public int SignupPerMinute { get; set; } = 60;

    /// <summary>Requests per second per credential (or per IP when anonymous) on every other route.</summary>
    public int RequestsPerSecond { get; set; } = 50;
}
