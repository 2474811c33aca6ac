using System.Threading.RateLimiting;

namespace ProMTA.Gateway.RateLimits;

/// <summary>
/// Counts credentials that did not authenticate, per client IP (a fixed window). Checked before a credential is
/// introspected, so once an IP has spent its budget a burst of made-up keys costs no lookup at all; credentials the
/// gateway already verified (cached) never reach it.
/// </summary>
public sealed class FailedCredentialLimiter(GatewayRateLimitOptions limits) : IDisposable
{
    private readonly PartitionedRateLimiter<string> failures = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.FailedCredentialsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Null while <paramref name="ip"/> may still try an unknown credential, else how long until it may.</summary>
    public TimeSpan? Blocked(string ip)
    {
        using var lease = failures.AttemptAcquire(ip, 0);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    public void RecordFailure(string ip)
    {
        using var _ = failures.AttemptAcquire(ip, 1);
    }

    public void Dispose() => failures.Dispose();
}
