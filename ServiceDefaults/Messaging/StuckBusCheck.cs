using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Messaging.DeadLetters;

namespace ProMTA.ServiceDefaults.Messaging;

/// <summary>
/// Liveness (/alive) for a message bus that stopped trying: MassTransit gives up on a bus whose start failed in a way it
/// does not retry (seen when the service started while RabbitMQ was being restarted: "Not ready: not started" for good,
/// though RabbitMQ was back). Nothing in the process recovers from that; only a new process does, so after
/// <see cref="StuckBusOptions.Limit"/> without a ready bus, and only while RabbitMQ itself answers, this check fails and
/// the orchestrator's liveness probe restarts the service. While RabbitMQ is down the check stays healthy: restarting
/// then would only cut the relay's SMTP sessions, and the bus reconnects by itself once the broker is back.
/// </summary>
public sealed class StuckBusCheck(IBusControl bus, DeadLetterQueues broker, TimeProvider clock, IOptions<StuckBusOptions> options) : IHealthCheck
{
    public const string Name = "message-bus-alive";

    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(3);

    private readonly object gate = new();
    private DateTimeOffset? notReadySince;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        var now = clock.GetUtcNow();
        DateTimeOffset since;
        lock (gate)
        {
            if (health.Status == BusHealthStatus.Healthy)
            {
                notReadySince = null;
                return HealthCheckResult.Healthy();
            }
            since = notReadySince ??= now;
        }
        var waited = now - since;
        if (waited < options.Value.Limit) return HealthCheckResult.Healthy($"bus not ready for {waited.TotalSeconds:0} s: {health.Description}");
        if (!await BrokerAnswersAsync(cancellationToken)) return HealthCheckResult.Healthy($"bus not ready for {waited.TotalSeconds:0} s; RabbitMQ does not answer either, so it waits for the broker");
        return HealthCheckResult.Unhealthy($"bus not ready for {waited.TotalSeconds:0} s although RabbitMQ answers ({health.Description}): only a restart recovers it");
    }

    /// <summary>Bounded below the health check's own timeout: a broker that hangs counts as one that does not answer.</summary>
    private async Task<bool> BrokerAnswersAsync(CancellationToken ct)
    {
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        answer.CancelAfter(BrokerTimeout);
        try
        {
            return await broker.BrokerAnswersAsync(answer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}

public sealed class StuckBusOptions
{
    public const string Section = "Messaging:StuckBus";

    /// <summary>How long a bus may stay not ready before a broker that answers makes it a liveness failure. MassTransit's own reconnects wait up to 30 s.</summary>
    public TimeSpan Limit { get; set; } = TimeSpan.FromMinutes(3);
}
