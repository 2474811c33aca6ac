namespace ProMTA.FaultInjection;

public enum FaultKind { KillService, RestartServer, DuplicateDelivery }

/// <summary>One fault at a moment after the stream started.</summary>
public sealed record Fault(TimeSpan At, FaultKind Kind, string Target);

/// <summary>
/// Which faults happen when, drawn from one seed (printed with the report, FAULTS_SEED replays a run): every service
/// SIGKILLed and every server restarted once in each round (a round is a slice of the window), outbox rows of random
/// services replayed at random moments. Faults on different targets may overlap, as real ones do.
/// </summary>
public static class FaultPlan
{
    public static readonly string[] Services = ["gateway", "ordering", "billing", "provisioning", "dns", "delivery"];
    public static readonly string[] Servers = ["postgres", "rabbitmq"];
    public static readonly string[] Schemas = ["ordering", "billing", "provisioning", "dns", "delivery"];

    public static IReadOnlyList<Fault> Draw(Random random, TimeSpan window, int rounds, int duplicateRounds)
    {
        var faults = new List<Fault>();
        var slice = window / rounds;
        for (var round = 0; round < rounds; round++)
        {
            faults.AddRange(Services.Select(s => new Fault(slice * round + Moment(random, slice), FaultKind.KillService, s)));
            faults.AddRange(Servers.Select(s => new Fault(slice * round + Moment(random, slice), FaultKind.RestartServer, s)));
        }
        for (var i = 0; i < duplicateRounds; i++)
        {
            faults.Add(new Fault(Moment(random, window), FaultKind.DuplicateDelivery, Schemas[random.Next(Schemas.Length)]));
        }
        return [.. faults.OrderBy(f => f.At)];
    }

    private static TimeSpan Moment(Random random, TimeSpan span) => TimeSpan.FromMilliseconds(random.NextDouble() * span.TotalMilliseconds);
}
