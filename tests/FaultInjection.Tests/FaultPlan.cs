namespace ProMTA.FaultInjection;

public enum FaultKind { KillService, RestartServer, DuplicateDelivery }

/// <summary>One fault at a moment after the stream started.</summary>
public sealed record Fault(TimeSpan At, FaultKind Kind, string Target);

/// <summary>
/// Which faults happen when, drawn from one seed (printed with the report, FAULTS_SEED replays a run): every
/// service SIGKILLed once, PostgreSQL and RabbitMQ restarted once, outbox rows of random services replayed.
/// </summary>
public static class FaultPlan
{
    public static readonly string[] Services = ["gateway", "ordering", "billing", "provisioning", "dns", "delivery"];
    public static readonly string[] Servers = ["postgres", "rabbitmq"];
    public static readonly string[] Schemas = ["ordering", "billing", "provisioning", "dns", "delivery"];

    public static IReadOnlyList<Fault> Draw(Random random, TimeSpan window, int duplicateRounds)
    {
        var faults = new List<Fault>();
        faults.AddRange(Services.Select(s => new Fault(Moment(random, window), FaultKind.KillService, s)));
        faults.AddRange(Servers.Select(s => new Fault(Moment(random, window), FaultKind.RestartServer, s)));
        for (var i = 0; i < duplicateRounds; i++)
        {
            faults.Add(new Fault(Moment(random, window), FaultKind.DuplicateDelivery, Schemas[random.Next(Schemas.Length)]));
        }
        return [.. faults.OrderBy(f => f.At)];
    }

    private static TimeSpan Moment(Random random, TimeSpan window) => TimeSpan.FromMilliseconds(random.NextDouble() * window.TotalMilliseconds);
}
