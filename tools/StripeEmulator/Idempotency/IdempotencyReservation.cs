namespace StripeEmulator.Idempotency;

public enum IdempotencyOutcome
{
    /// <summary>First use of the key: run the request and store its response.</summary>
    Execute,

    /// <summary>Seen before with the same parameters: replay the stored response.</summary>
    Replay,

    /// <summary>Seen before with different parameters: Stripe answers 400 idempotency_error.</summary>
    Conflict,
}

public sealed record IdempotencyReservation(IdempotencyOutcome Outcome, IdempotencyRecord Record);
