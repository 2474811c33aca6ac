using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// A provider's queued recipients by state, which exclude each other: held (paused by the customer or staff), sending
/// (an attempt running now), due (ready, waiting for its turn in the lane) and scheduled (a later attempt: a retry
/// after a deferral, or our own pacing). <see cref="Deferred"/> counts those among them the ISP has deferred before.
/// </summary>
public sealed record ProviderQueue
{
    public string Provider { get; init; } = "";
    public long Queued { get; init; }
    public long Held { get; init; }
    public long Sending { get; init; }
    public long Due { get; init; }
    public long Scheduled { get; init; }
    public long Deferred { get; init; }
    public DateTimeOffset OldestReceivedAt { get; init; }
}

public sealed record DomainQueue
{
    public string Domain { get; init; } = "";
    public string Provider { get; init; } = "";
    public long Queued { get; init; }
    public DateTimeOffset OldestReceivedAt { get; init; }
}

/// <summary>Queued recipients received in an age band: [<see cref="MinAgeMinutes"/>, <see cref="MaxAgeMinutes"/>) minutes ago (no upper bound when null).</summary>
public sealed record AgeBand
{
    public int MinAgeMinutes { get; init; }
    public int? MaxAgeMinutes { get; init; }
    public long Queued { get; init; }
}

public sealed record QueueInventoryView(IReadOnlyList<ProviderQueue> Providers, IReadOnlyList<DomainQueue> Domains, IReadOnlyList<AgeBand> Ages);

/// <summary>What a service has queued, counted when asked over its queued rows only (a partial index keeps delivered mail out of it).</summary>
public static class QueueInventory
{
    /// <summary>The domains with the most queued mail that the view lists.</summary>
    public const int TopDomains = 20;

    /// <summary>Where each age band starts, in minutes (the statement's bands, in order).</summary>
    private static readonly int[] BandStarts = [0, 5, 60, 360, 1440];

    private const string Sql = """
        SELECT r.provider,
               count(*) AS queued,
               count(*) FILTER (WHERE r.held) AS held,
               count(*) FILTER (WHERE NOT r.held AND r.claimed_until > @Now) AS sending,
               count(*) FILTER (WHERE NOT r.held AND coalesce(r.claimed_until <= @Now, true) AND r.next_attempt_at <= @Now) AS due,
               count(*) FILTER (WHERE NOT r.held AND coalesce(r.claimed_until <= @Now, true) AND r.next_attempt_at > @Now) AS scheduled,
               count(*) FILTER (WHERE r.deferrals > 0) AS deferred,
               min(m.received_at) AS oldest_received_at
        FROM recipients r JOIN messages m ON m.id = r.message_id
        WHERE r.service_id = @ServiceId AND r.status = 'Queued'
        GROUP BY r.provider ORDER BY r.provider;

        SELECT lower(r.domain) AS domain, min(r.provider) AS provider, count(*) AS queued, min(m.received_at) AS oldest_received_at
        FROM recipients r JOIN messages m ON m.id = r.message_id
        WHERE r.service_id = @ServiceId AND r.status = 'Queued'
        GROUP BY lower(r.domain) ORDER BY count(*) DESC, lower(r.domain) LIMIT @TopDomains;

        -- One pass for every band: [0, 5) min, [5, 60) min, [1, 6) h, [6, 24) h, 24 h and older.
        SELECT count(*) FILTER (WHERE m.received_at > @Now - interval '5 minutes') AS band0,
               count(*) FILTER (WHERE m.received_at <= @Now - interval '5 minutes' AND m.received_at > @Now - interval '1 hour') AS band1,
               count(*) FILTER (WHERE m.received_at <= @Now - interval '1 hour' AND m.received_at > @Now - interval '6 hours') AS band2,
               count(*) FILTER (WHERE m.received_at <= @Now - interval '6 hours' AND m.received_at > @Now - interval '24 hours') AS band3,
               count(*) FILTER (WHERE m.received_at <= @Now - interval '24 hours') AS band4
        FROM recipients r JOIN messages m ON m.id = r.message_id
        WHERE r.service_id = @ServiceId AND r.status = 'Queued';
        """;

    public static async Task<QueueInventoryView> ReadAsync(Database db, Guid serviceId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition(Sql, new { ServiceId = serviceId, Now = now, TopDomains }, cancellationToken: ct));
        var providers = (await grid.ReadAsync<ProviderQueue>()).ToList();
        var domains = (await grid.ReadAsync<DomainQueue>()).ToList();
        var bands = await grid.ReadSingleAsync<Bands>();
        long[] counts = [bands.Band0, bands.Band1, bands.Band2, bands.Band3, bands.Band4];
        var ages = counts.Select((count, i) => new AgeBand { MinAgeMinutes = BandStarts[i], MaxAgeMinutes = i + 1 < BandStarts.Length ? BandStarts[i + 1] : null, Queued = count });
        return new QueueInventoryView(providers, domains, [.. ages]);
    }

    private sealed record Bands
    {
        public long Band0 { get; init; }
        public long Band1 { get; init; }
        public long Band2 { get; init; }
        public long Band3 { get; init; }
        public long Band4 { get; init; }
    }
}
