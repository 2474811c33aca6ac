namespace ProMTA.Delivery.Webhooks;

/// <summary>The "Webhooks" section: how customers' endpoints are called.</summary>
public sealed class WebhookOptions
{
    /// <summary>How often due endpoints are looked for (an endpoint with a full batch waiting is called again at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Events per request, at most.</summary>
    public int BatchSize { get; set; } = 100;
    /// <summary>A request not answered by then counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>A failing batch is retried this long, then parked (visible, replayable) and the next one goes.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>When a failing endpoint is called again; +-25% so endpoints that failed together are not retried together.</summary>
    public ProMTA.Timing.Backoff Retry => new(RetryInitial, RetryMax, Jitter: 0.25);
    /// <summary>A claimed endpoint is not claimed again (by this or another replica) for this long.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);
    public int MaxPerService { get; set; } = 10;
    /// <summary>
    /// Lets endpoints be plain http and resolve to loopback/private addresses: local runs and tests only (the AppHost
    /// sets it). Elsewhere a customer's URL must never make us probe the hosting network (SSRF).
    /// </summary>
    public bool AllowInternalEndpoints { get; set; }
}
