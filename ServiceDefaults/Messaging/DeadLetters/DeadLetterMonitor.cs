using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ProMTA.ServiceDefaults.Messaging.DeadLetters;

/// <summary>
/// Polls the depth of this service's _error queues into the gauge <c>promta.messaging.dead_letters</c> (one series per
/// queue, zeros included so an alert sees it clear): alert when any is above zero.
/// </summary>
public sealed partial class DeadLetterMonitor : BackgroundService
{
    public const string MeterName = "ProMTA.Messaging";
    public const string GaugeName = "promta.messaging.dead_letters";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, long> depths = new();
    private readonly DeadLetterQueues deadLetters;
    private readonly ServiceQueues queues;
    private readonly ILogger<DeadLetterMonitor> log;

    public DeadLetterMonitor(DeadLetterQueues deadLetters, ServiceQueues queues, IMeterFactory meters, ILogger<DeadLetterMonitor> log)
    {
        this.deadLetters = deadLetters;
        this.queues = queues;
        this.log = log;
        meters.Create(MeterName).CreateObservableGauge(GaugeName,
            () => depths.Select(d => new Measurement<long>(d.Value, new("service", queues.Service), new("queue", d.Key))),
            unit: "{message}", description: "Messages in the service's _error queues, waiting for an operator");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            do
            {
                await PollAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        try
        {
            foreach (var (queue, depth) in await deadLetters.CountAsync(ct))
            {
                depths[queue] = depth;
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The broker may be restarting: keep the last values and try again.
            LogPollFailed(ex, queues.Service);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not read the _error queues of {Service}; retrying")]
    private partial void LogPollFailed(Exception ex, string service);
}
