using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;

namespace ProMTA.ServiceDefaults.Mail;

/// <summary>Mail a service owes people (notices, links), kept in its database until the smarthost has taken it.</summary>
public interface IDueMail
{
    /// <returns>How many mails were handed to the smarthost.</returns>
    Task<int> SendDueAsync(CancellationToken ct);
}

/// <summary>Sends a service's due mail every poll interval on every replica (they share the work safely), when a smarthost is configured.</summary>
public sealed class SmarthostMailerJob<TMailer>(
    TMailer mailer, MigrationState migrations, IOptions<SmarthostOptions> options, TimeProvider time, ILogger<SmarthostMailerJob<TMailer>> log)
    : PeriodicJob(migrations, time, log) where TMailer : IDueMail
{
    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Enabled ? base.ExecuteAsync(stoppingToken) : Task.CompletedTask;

    public override Task RunOnceAsync(CancellationToken ct) => mailer.SendDueAsync(ct);
}
