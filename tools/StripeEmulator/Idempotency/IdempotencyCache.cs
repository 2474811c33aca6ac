using System.Collections.Concurrent;

namespace StripeEmulator.Idempotency;

/// <summary>
/// Idempotency keys per API key (Stripe scopes them per account). Like Stripe's, a key is
/// honoured for 24 hours; an expired one is dropped when it is next used (nothing sweeps the
/// rest, which is fine for an in-memory dev tool that lives for one session).
/// Reservation is a single atomic GetOrAdd, so of many concurrent identical requests exactly
/// one executes and the rest wait for its response.
/// </summary>
public sealed class IdempotencyCache(TimeProvider clock)
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<(string ApiKey, string Key), IdempotencyRecord> _records = new();

    public IdempotencyReservation Reserve(string apiKey, string key, string fingerprint)
    {
        while (true)
        {
            var now = clock.GetUtcNow();
            var candidate = new IdempotencyRecord(fingerprint, now);
            var existing = _records.GetOrAdd((apiKey, key), candidate);
            if (ReferenceEquals(existing, candidate))
            {
                return new IdempotencyReservation(IdempotencyOutcome.Execute, candidate);
            }

            if (now - existing.CreatedAt > Retention)
            {
                // Expired: forget it and race again for a fresh reservation.
                _records.TryRemove(KeyValuePair.Create((apiKey, key), existing));
                continue;
            }

            return new IdempotencyReservation(
                existing.Fingerprint == fingerprint ? IdempotencyOutcome.Replay : IdempotencyOutcome.Conflict,
                existing);
        }
    }

    /// <summary>
    /// Stores the response. Server errors are not kept, as with Stripe, so that a client retry
    /// with the same key runs the request again instead of replaying a 500 forever.
    /// </summary>
    public void Complete(string apiKey, string key, IdempotencyRecord record, StoredResponse response)
    {
        if (response.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            _records.TryRemove(KeyValuePair.Create((apiKey, key), record));
        }

        record.Complete(response);
    }
}
