using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;
using ProMTA.ServiceDefaults.Mail;

namespace ProMTA.Ordering.Accounts;

/// <summary>Runs the account mailer every poll interval on every replica (they share the work safely), when a smarthost is configured.</summary>
public sealed class AccountMailerService(
    AccountMailer mailer, MigrationState migrations, IOptions<SmarthostOptions> options, TimeProvider time, ILogger<AccountMailerService> log)
    : PeriodicJob(migrations, time, log)
{
    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Enabled ? base.ExecuteAsync(stoppingToken) : Task.CompletedTask;

    public override Task RunOnceAsync(CancellationToken ct) => mailer.SendDueAsync(ct);
}
