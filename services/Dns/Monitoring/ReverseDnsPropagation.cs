using Microsoft.Extensions.Options;
using ProMTA.Contracts.Dns;
using ProMTA.Contracts.Provisioning;
using ProMTA.Dns.Data;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Lookups;
using ProMTA.ServiceDefaults.Data;
using ProMTA.Timing;

namespace ProMTA.Dns.Monitoring;

/// <summary>
/// Rule 3: a service is live only once its reverse DNS answers from every configured resolver. The first check runs
/// right after publishing; then the checks back off (Dns:PropagationFirstInterval doubling to PropagationMaxInterval).
/// Past Dns:PropagationWindow (24 h) operators and the order timeline are alerted once, and checking goes on, so the
/// service still goes live when the records finally answer. The state is in the database: a restart or another
/// replica carries on where this one stopped.
/// </summary>
public sealed partial class ReverseDnsPropagation(
    PropagationCheck check, DnsMetrics metrics, IOptions<DnsOptions> options, TimeProvider time, ILogger<ReverseDnsPropagation> log)
{
    private const int BatchSize = 10;

    /// <summary>Starts watching the service's PTRs (inside the caller's unit of work) and checks them once at once.</summary>
    public async Task StartAsync(UnitOfWork work, ReverseDnsRequested request, CancellationToken ct)
    {
        var row = await PropagationChecks.StartAsync(work, request.ServiceId, request.OrderId, request.Entries, time.GetUtcNow());
        await CheckAsync(work, row, ct);
    }

    /// <summary>Checks the services that are due; the number checked.</summary>
    public async Task<int> RunDueAsync(Database db, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        var due = await PropagationChecks.ClaimDueAsync(work, time.GetUtcNow(), BatchSize);
        foreach (var row in due) await CheckAsync(work, row, ct);
        await work.CommitAsync(ct);
        return due.Count;
    }

    /// <summary>Refreshes the gauges from the database.</summary>
    public async Task<IReadOnlyList<PropagationCheckRow>> PendingAsync(Database db, CancellationToken ct)
    {
        var pending = await PropagationChecks.PendingAsync(db, ct);
        var now = time.GetUtcNow();
        metrics.SetPropagation(pending.Count, pending.Count(p => IsOverdue(p, now)));
        return pending;
    }

    public bool IsOverdue(PropagationCheckRow row, DateTimeOffset now) => now - row.RequestedAt >= options.Value.PropagationWindow;

    private async Task CheckAsync(UnitOfWork work, PropagationCheckRow row, CancellationToken ct)
    {
        var entries = row.EntryList;
        var missing = await check.MissingAsync(entries, ct);
        var now = time.GetUtcNow();
        if (missing.Count == 0)
        {
            await PropagationChecks.RecordAsync(work, row.ServiceId, now, null, now, null, propagatedAt: now);
            foreach (var entry in entries) await PtrRecords.SaveAsync(work, entry.Ip, entry.Hostname, row.ServiceId, row.OrderId, row.RequestedAt, now);
            await work.PublishAsync(new ReverseDnsPropagated { OrderId = row.OrderId, ServiceId = row.ServiceId, Entries = entries, PropagatedAt = now });
            LogPropagated(row.OrderId, entries.Count, now - row.RequestedAt);
            return;
        }
        var backoff = new Backoff(options.Value.PropagationFirstInterval, options.Value.PropagationMaxInterval);
        var alert = row.AlertedAt is null && IsOverdue(row, now);
        await PropagationChecks.RecordAsync(work, row.ServiceId, now, string.Join("; ", missing), now + backoff.After(row.Attempts + 1),
            alertedAt: alert ? now : null, propagatedAt: null);
        if (!alert) return;
        await work.PublishAsync(new ReverseDnsPropagationDelayed
        {
            OrderId = row.OrderId, ServiceId = row.ServiceId, RequestedAt = row.RequestedAt, Attempts = row.Attempts + 1, Missing = missing, DelayedAt = now,
        });
        metrics.Delayed();
        LogDelayed(row.OrderId, row.RequestedAt, string.Join("; ", missing));
    }

    [LoggerMessage(LogLevel.Information, "Reverse DNS of {OrderId} answers for {Count} IPs after {Elapsed}")]
    private partial void LogPropagated(Guid orderId, int count, TimeSpan elapsed);

    [LoggerMessage(LogLevel.Error, "Reverse DNS of {OrderId}, requested {RequestedAt}, has not propagated within the window: {Missing}")]
    private partial void LogDelayed(Guid orderId, DateTimeOffset requestedAt, string missing);
}
