using Microsoft.Extensions.Options;
using ProMTA.Delivery.Outbound.Claiming;
using ProMTA.Delivery.Outbound.Egress;
using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Outbound;

/// <summary>
/// Runs the outbound path, whose stages a message passes in one direction: <see cref="ClaimLoop"/> (claims what the
/// lanes may send now) -> <see cref="EgressPath"/> (source IP x provider: pacing, connections) ->
/// <see cref="Dispatch.Dispatcher"/> (session, signature, SMTP transaction) -> <see cref="Outcome.RecipientOutcomes"/>
/// (delivered, deferred with backoff, bounced or held). Beside them: idle sessions closed, the lanes' state saved, the
/// leases of the lanes this replica paces renewed (<see cref="Lanes.LaneOwnership"/>).
/// </summary>
internal sealed partial class DeliveryWorker(
    ClaimLoop claims, ReadyQueue ready, SmtpConnectionPool pool, ThrottleStateSync throttleState, LaneOwnership lanes,
    MigrationState migrations,
    IOptions<OutboundOptions> options, TimeProvider time, ILogger<DeliveryWorker> log) : BackgroundService
{
    private OutboundOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Completed.WaitAsync(stoppingToken);
        // PostgreSQL may be restarting just after the migrations ran: wait for it, for a throw here would stop the whole
        // host (BackgroundServiceExceptionBehavior.StopHost) with exit code 0, which nothing restarts (seen in the fault run).
        await StartupRetry.RunAsync(throttleState.RestoreAsync, "Restoring the throttle lanes", log, stoppingToken);
        // The heartbeat before the first claim: the other replicas count this one in the spread from its first ask.
        await StartupRetry.RunAsync(lanes.RenewAsync, "Joining the replicas pacing the lanes", log, stoppingToken);
        try
        {
            await Task.WhenAll(
                claims.RunAsync(stoppingToken),
                EveryAsync(TimeSpan.FromSeconds(1), () => pool.CloseIdleAsync(Options.ConnectionIdleTimeout), stoppingToken),
                EveryAsync(Options.ThrottleStateInterval, () => throttleState.SyncAsync(CancellationToken.None), stoppingToken),
                EveryAsync(lanes.RenewInterval, () => lanes.RenewAsync(CancellationToken.None), stoppingToken));
        }
        finally
        {
            // The batches under way stop with the host (their recipients come back when the lease ends).
            await ready.DrainAsync();
            await pool.DisposeAsync();
            // What the lanes learned since the last save is kept for the next start.
            await throttleState.SyncAsync(CancellationToken.None);
            // The lanes go at once with their state and unused warm-up sends: the other replicas need not wait for expiry.
            await lanes.ReleaseAllAsync(CancellationToken.None);
        }
    }

    private async Task EveryAsync(TimeSpan interval, Func<Task> work, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
                await work();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Housekeeping failing once (a database hiccup) must not stop delivery; the next round tries again.
                LogHousekeepingFailed(ex);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Outbound housekeeping (idle connections, throttling state) failed; retrying")]
    private partial void LogHousekeepingFailed(Exception ex);
}
