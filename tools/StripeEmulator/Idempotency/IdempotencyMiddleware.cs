using System.Text;
using StripeEmulator.Auth;
using StripeEmulator.Errors;
using StripeEmulator.Http;

namespace StripeEmulator.Idempotency;

/// <summary>
/// Stripe's idempotent requests: a POST carrying an <c>Idempotency-Key</c> already seen for the
/// same API key replays the first response (status and body) without running again, and the
/// same key with other parameters is refused with <c>idempotency_error</c>. Unlike Stripe,
/// which answers a concurrent duplicate with 409, a duplicate here waits for the first one:
/// the outcome a retrying client sees is the same and tests stay deterministic.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyCache cache)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers[StripeRequestContext.IdempotencyKeyHeader].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || key.Length == 0)
        {
            await next(context); // Stripe ignores idempotency keys on GET and DELETE.
            return;
        }

        var apiKey = ApiKeyMiddleware.GetApiKey(context);
        var form = await FormParameters.ReadAsync(context);
        var fingerprint = $"{context.Request.Method} {context.Request.Path}?{form.Canonical()}";
        var reservation = cache.Reserve(apiKey, key, fingerprint);
        switch (reservation.Outcome)
        {
            case IdempotencyOutcome.Conflict:
                await StripeResults.WriteErrorAsync(context, StripeErrors.Idempotency(key));
                break;

            case IdempotencyOutcome.Replay:
                var stored = await reservation.Record.Response.WaitAsync(context.RequestAborted);
                context.Response.Headers["Idempotent-Replayed"] = "true";
                context.Response.StatusCode = stored.StatusCode;
                context.Response.ContentType = stored.ContentType;
                await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
                break;

            default:
                StoredResponse response;
                try
                {
                    response = await ExecuteAndCaptureAsync(context);
                }
                catch
                {
                    // Release any waiting duplicates; a 500 is not kept, so a retry runs again.
                    cache.Complete(apiKey, key, reservation.Record, InternalError);
                    throw;
                }

                cache.Complete(apiKey, key, reservation.Record, response);
                break;
        }
    }

    private static StoredResponse InternalError { get; } = new(
        StatusCodes.Status500InternalServerError,
        StripeResults.JsonContentType,
        Encoding.UTF8.GetBytes(StripeResults.Serialize(StripeErrors.Internal().Error.ToEnvelope())));

    private async Task<StoredResponse> ExecuteAndCaptureAsync(HttpContext context)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var stored = new StoredResponse(
            context.Response.StatusCode,
            context.Response.ContentType ?? StripeResults.JsonContentType,
            buffer.ToArray());
        await original.WriteAsync(stored.Body, context.RequestAborted);
        return stored;
    }
}
