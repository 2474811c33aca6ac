using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Notifications;

/// <summary>Runs the mailer every poll interval on every replica (they share the work safely), when a smarthost is configured.</summary>
public sealed partial class NotificationMailerService(
    NotificationMailer mailer, MigrationState migrations, IOptions<EmailOptions> options, TimeProvider time, ILogger<NotificationMailerService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        await migrations.Completed.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            try
            {
                await mailer.SendDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Error, "Mailing notifications failed; the next run retries what is still pending")]
    private partial void LogRunFailed(Exception ex);
}
