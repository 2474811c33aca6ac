using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.PlanChanges;

/// <summary>
/// Applies each scheduled downgrade on the first day of its period (its renewal was already charged at the new
/// price): the service runs on the new product and PlanChanged tells Provisioning to release the surplus IPs to
/// quarantine. One transaction per service with its row locked (SKIP LOCKED: replicas share the work); days
/// missed while down are caught up. A service that ends before that day is never switched.
/// </summary>
public sealed partial class DowngradeSwitch(Database db, TimeProvider time, ILogger<DowngradeSwitch> log)
{
    public async Task<int> RunAsync(DateOnly today, CancellationToken ct)
    {
        var applied = 0;
        while (!ct.IsCancellationRequested)
        {
            await using var work = await db.BeginAsync(ct);
            var service = await PlanChangeRepository.ClaimDueDowngradeAsync(work, today, time.GetUtcNow());
            if (service is null) break;
            var from = PlanChangeRules.Current(service);
            var to = PlanChangeRules.Scheduled(service)!;
            var effectiveOn = PlanChangeRules.ScheduledOn(service);
            var now = time.GetUtcNow();
            var changeId = await PlanChangeRepository.DecideScheduledAsync(work, service.ServiceId, PlanChangeStatus.Applied, now) ?? Guid.CreateVersion7();
            await PlanChangeRepository.SetProductAsync(work, service.ServiceId, to);
            await PlanChanger.PublishChangedAsync(work, service, changeId, from, to, effectiveOn, now);
            await NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, "plan-changed",
                $"Your service runs on {to.DisplayName} from {effectiveOn:yyyy-MM-dd}.", now);
            await work.CommitAsync(ct);
            LogSwitched(service.ServiceId, from.ProductId, to.ProductId);
            applied++;
        }
        return applied;
    }

    [LoggerMessage(LogLevel.Information, "Downgrade of {ServiceId} from {From} to {To} applied")]
    private partial void LogSwitched(Guid serviceId, string from, string to);
}
