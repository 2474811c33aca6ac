namespace StripeEmulator.Http;

/// <summary>
/// What an operation needs to know about the API call that triggered it: the ids echoed into
/// webhook events (<c>request.id</c>, <c>request.idempotency_key</c>), the ledger, and the
/// emulator's own base URL for 3D Secure links.
/// </summary>
public sealed record StripeRequestContext(string RequestId, string? IdempotencyKey, string BaseUrl)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static ValueTask<StripeRequestContext?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<StripeRequestContext?>(From(context));

    public static StripeRequestContext From(HttpContext context)
    {
        var key = context.Request.Headers[IdempotencyKeyHeader].ToString();
        return new StripeRequestContext(
            StripeHeadersMiddleware.GetRequestId(context),
            key.Length == 0 ? null : key,
            $"{context.Request.Scheme}://{context.Request.Host}");
    }
}
