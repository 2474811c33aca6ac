using System.Text.Json;
using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

public static class ChargeIntentKind
{
    public const string FirstMonth = "FirstMonth";
    public const string Renewal = "Renewal";
    /// <summary>An upgrade's prorated charge (issue 17): recovered like a first month, and the service renews only after its result.</summary>
    public const string PlanChange = "PlanChange";
}

/// <summary>A charge recorded before Stripe is called (migration 0017); <see cref="Payload"/> is what it was decided with.</summary>
public sealed record ChargeIntent(string IdempotencyKey, string Kind, Guid ServiceId, int PeriodIndex, int Attempt, string Payload, bool Completed)
{
    public T Read<T>() => JsonSerializer.Deserialize<T>(Payload, ChargeIntents.Json)!;
}

/// <summary>A charge of a service still without its result; <see cref="LeasePassed"/>: its worker is presumed dead.</summary>
public sealed record PendingServiceCharge(string IdempotencyKey, string Kind, bool LeasePassed);

/// <summary>
/// Charges as intents: recorded and committed, then Stripe is called outside any transaction, then the result is written
/// with the intent completed in a second transaction (the CONVENTIONS rule: no network call inside an open transaction).
/// </summary>
public static class ChargeIntents
{
    /// <summary>
    /// How long a worker may take from the intent's commit to the result's: well past Stripe.net's own timeout and
    /// retries. A crashed worker's intent is taken up again after it; a live one is never raced.
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns = "idempotency_key, kind, service_id, period_index, attempt, payload::text AS payload, completed_at IS NOT NULL AS completed";
    // A retry of the same operation keeps the first payload (the amount Stripe was or will be asked for) and renews the lease.
    private const string RecordSql = $"""
        INSERT INTO charge_intents (idempotency_key, kind, service_id, period_index, attempt, payload, created_at, lease_until)
        VALUES (@Key, @Kind, @ServiceId, @Period, @Attempt, @Payload::jsonb, @Now, @LeaseUntil)
        ON CONFLICT (idempotency_key) DO UPDATE SET lease_until = EXCLUDED.lease_until
        RETURNING {Columns}
        """;
    private const string FindSql = $"SELECT {Columns} FROM charge_intents WHERE idempotency_key = @Key";
    private const string PendingForUpdateSql = $"SELECT {Columns} FROM charge_intents WHERE idempotency_key = @Key AND completed_at IS NULL FOR UPDATE";
    private const string PendingForServiceSql = """
        SELECT idempotency_key, kind, lease_until <= @Now AS lease_passed FROM charge_intents
        WHERE service_id = @ServiceId AND completed_at IS NULL
        ORDER BY created_at
        LIMIT 1
        """;
    private const string LeaseServiceSql = "UPDATE billed_services SET charging_until = @LeaseUntil WHERE service_id = @ServiceId";
    private const string CompleteSql = """
        WITH done AS (UPDATE charge_intents SET completed_at = @Now WHERE idempotency_key = @Key RETURNING service_id)
        UPDATE billed_services SET charging_until = NULL WHERE service_id IN (SELECT service_id FROM done)
        """;
    // First months and plan changes whose worker died (or whose message went to the error queue) after the intent committed.
    private const string ClaimAbandonedSql = $"""
        UPDATE charge_intents SET lease_until = @LeaseUntil
        WHERE idempotency_key IN (
            SELECT idempotency_key FROM charge_intents
            WHERE kind = ANY(@Kinds) AND completed_at IS NULL AND lease_until < @Now
            ORDER BY lease_until
            LIMIT @Limit
            FOR UPDATE SKIP LOCKED)
        RETURNING {Columns}
        """;

    /// <summary>
    /// The SQL condition, for a claim of <c>billed_services s</c>, that no worker is charging the service right now (its
    /// intent's lease, copied on the row so that a claim's re-check of a just-unlocked row sees it); takes <c>@Now</c>.
    /// An upgrade's charge keeps the service away however long it stays pending: renewed at the old price before the upgrade's
    /// result is recorded, the period would escape the upgrade's proration (ChargeIntentRecovery records that result).
    /// </summary>
    public const string NotBeingCharged = """
        ((s.charging_until IS NULL OR s.charging_until <= @Now) AND NOT EXISTS (
            SELECT 1 FROM charge_intents c WHERE c.service_id = s.service_id AND c.kind = 'PlanChange' AND c.completed_at IS NULL))
        """;

    /// <summary>Records the charge, or renews the lease of the one recorded under the same key (returned as first recorded).</summary>
    public static async Task<ChargeIntent> RecordAsync<T>(UnitOfWork work, string key, string kind, Guid serviceId, int period, int attempt, T payload,
        DateTimeOffset now)
    {
        var intent = await work.QuerySingleOrDefaultAsync<ChargeIntent>(RecordSql, new
        {
            Key = key, Kind = kind, ServiceId = serviceId, Period = period, Attempt = attempt, Payload = JsonSerializer.Serialize(payload, Json), Now = now,
            LeaseUntil = now + Lease,
        });
        // A first month has no service row yet: nothing claims it but its own order.
        await work.ExecuteAsync(LeaseServiceSql, new { ServiceId = serviceId, LeaseUntil = now + Lease });
        return intent!;
    }

    public static async Task<ChargeIntent?> FindAsync(Database db, string key, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ChargeIntent>(FindSql, new { Key = key });
    }

    /// <summary>Locks the intent for its result; false when another worker recorded the result first.</summary>
    public static async Task<bool> LockPendingAsync(UnitOfWork work, string key) =>
        await work.QuerySingleOrDefaultAsync<ChargeIntent>(PendingForUpdateSql, new { Key = key }) is not null;

    /// <summary>A charge of the service recorded and its result not yet (being made, or left by a crash until recovered).</summary>
    public static Task<PendingServiceCharge?> FindPendingForServiceAsync(UnitOfWork work, Guid serviceId, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<PendingServiceCharge>(PendingForServiceSql, new { ServiceId = serviceId, Now = now });

    public static Task CompleteAsync(UnitOfWork work, string key, DateTimeOffset now) => work.ExecuteAsync(CompleteSql, new { Key = key, Now = now });

    /// <summary>Intents of these kinds whose lease passed, leased again to the caller, which completes them with their own keys.</summary>
    public static async Task<IReadOnlyList<ChargeIntent>> ClaimAbandonedAsync(UnitOfWork work, string[] kinds, DateTimeOffset now, int limit) =>
        (await work.QueryAsync<ChargeIntent>(ClaimAbandonedSql, new { Kinds = kinds, Now = now, LeaseUntil = now + Lease, Limit = limit })).ToList();
}
