using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.Billing.Orders;

public sealed class FirstMonthRecoveryOptions
{
    /// <summary>How often abandoned first-month charges are looked for; the first look is at start.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Completes first-month charges whose worker stopped between the intent's commit and the result's (a crash, a deploy,
/// Stripe unreachable until the message went to the error queue), once their lease has passed. The charge is made
/// with the order's idempotency key, so a payment Stripe already took is answered again, not taken twice.
/// Renewals need no such job: the renewal run takes a service with an abandoned intent again by itself.
/// </summary>
public sealed partial class FirstMonthRecovery(
    Database db, FirstMonthCharge firstMonth, MigrationState migrations, IOptions<FirstMonthRecoveryOptions> options, TimeProvider time,
    ILogger<FirstMonthRecovery> log) : PeriodicJob(migrations, time, log)
{
    private const int Batch = 50;
    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    protected override TimeSpan Interval => options.Value.Interval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            IReadOnlyList<ChargeIntent> abandoned;
            await using (var work = await db.BeginAsync(ct))
            {
                abandoned = await ChargeIntents.ClaimAbandonedAsync(work, ChargeIntentKind.FirstMonth, clock.GetUtcNow(), Batch);
                await work.CommitAsync(ct);
            }
            foreach (var intent in abandoned)
            {
                var orderId = intent.Read<FirstMonthIntent>().Order.OrderId;
                LogRecovering(orderId);
                await firstMonth.CompleteAsync(orderId, ct);
            }
            if (abandoned.Count < Batch) return;
        }
    }

    [LoggerMessage(LogLevel.Warning, "First month of {OrderId} was left pending after its charge intent; completing it")]
    private partial void LogRecovering(Guid orderId);
}
