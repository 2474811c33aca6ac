using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Orders;
using ProMTA.Billing.PlanChanges;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Billing.Charges;

public sealed class ChargeIntentRecoveryOptions
{
    /// <summary>How often abandoned charges are looked for; the first look is at start.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Completes first-month and upgrade charges whose worker stopped between the intent's commit and the result's (a
/// crash, a deploy, Stripe unreachable until the message went to the error queue), once their lease has passed. The
/// charge is made with its recorded idempotency key, so a payment Stripe already took is answered again, not taken
/// twice. Renewals need no such job: the renewal run takes a service with an abandoned intent again by itself.
/// </summary>
public sealed partial class ChargeIntentRecovery(
    Database db, FirstMonthCharge firstMonth, UpgradeCharge upgrades, MigrationState migrations, IOptions<ChargeIntentRecoveryOptions> options,
    TimeProvider time, ILogger<ChargeIntentRecovery> log) : PeriodicJob(migrations, time, log)
{
    private const int Batch = 50;
    private static readonly string[] Recovered = [ChargeIntentKind.FirstMonth, ChargeIntentKind.PlanChange];
    private readonly TimeProvider clock = time;

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            IReadOnlyList<ChargeIntent> abandoned;
            await using (var work = await db.BeginAsync(ct))
            {
                abandoned = await ChargeIntents.ClaimAbandonedAsync(work, Recovered, clock.GetUtcNow(), Batch);
                await work.CommitAsync(ct);
            }
            foreach (var intent in abandoned)
            {
                LogRecovering(intent.Kind, intent.IdempotencyKey);
                if (intent.Kind == ChargeIntentKind.FirstMonth) await firstMonth.CompleteAsync(intent.Read<FirstMonthIntent>().Order.OrderId, ct);
                else await upgrades.CompleteAsync(intent.IdempotencyKey, ct);
            }
            if (abandoned.Count < Batch) return;
        }
    }

    [LoggerMessage(LogLevel.Warning, "{Kind} charge {Key} was left pending after its intent; completing it")]
    private partial void LogRecovering(string kind, string key);
}
