namespace StripeEmulator.Idempotency;

/// <summary>The response that an idempotency key replays: status code and body, byte for byte.</summary>
public sealed record StoredResponse(int StatusCode, string ContentType, byte[] Body);
