using Microsoft.Extensions.Options;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Ordering.Domains;

/// <summary>
/// A domain claimed but never delegated to us within Domains:PendingLifetime (default 14 days) is released, so a
/// customer cannot hold a name they do not own; the order's timeline says so and Dns drops the pending zone.
/// </summary>
public sealed partial class DomainClaimExpiry(Database db, IOptions<DomainClaimOptions> options, TimeProvider time, ILogger<DomainClaimExpiry> log)
{
    public const int BatchSize = 50;

    /// <summary>Releases one batch of expired claims; how many.</summary>
    public async Task<int> ReleaseBatchAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var work = await db.BeginAsync(ct);
        var expired = await DomainClaims.ReleaseExpiredAsync(work, now - options.Value.PendingLifetime, now, BatchSize);
        foreach (var claim in expired)
        {
            await DomainClaimRelease.AnnounceAsync(work, claim, ReleaseReason.Expired, now);
            LogExpired(claim.Domain, claim.ServiceId);
        }
        await work.CommitAsync(ct);
        return expired.Count;
    }

    [LoggerMessage(LogLevel.Information, "Sending domain {Domain} of {ServiceId} was never delegated to us and is released")]
    private partial void LogExpired(string domain, Guid serviceId);
}

/// <summary>Runs <see cref="DomainClaimExpiry"/> every Domains:ExpiryCheckInterval.</summary>
public sealed class DomainClaimExpiryJob(
    DomainClaimExpiry expiry, IOptions<DomainClaimOptions> options, MigrationState migrations, TimeProvider time, ILogger<DomainClaimExpiryJob> log)
    : PeriodicJob(migrations, time, log)
{
    protected override TimeSpan Interval => options.Value.ExpiryCheckInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        while (await expiry.ReleaseBatchAsync(ct) == DomainClaimExpiry.BatchSize) { }
    }
}
